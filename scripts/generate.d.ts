export declare const SCHEMA_FILE: string;
export declare const CONFIG_DOC_FILE: string;
export declare function schemaText(): string;
/** The key table: one row per key, then the document-level keys. */
export declare function keysTable(): string;
/** docs/configuration.md with its key table replaced by the generated one. */
export declare function configDocText(): string;
