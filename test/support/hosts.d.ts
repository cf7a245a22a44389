/** The endpoint names unit tests sign for and connect to: made-up, in the real AWS shapes. */
/** An RDS instance endpoint: `<name>.<account id hash>.<region>.rds.amazonaws.com`. */
export declare const RDS_HOST = "mydb.c9akciq32.us-east-1.rds.amazonaws.com";
/** An Aurora DSQL cluster id: 26 lowercase letters and digits. */
export declare const DSQL_CLUSTER_ID = "abcdefghijklmnopqrstuvwxyz";
/** That DSQL cluster's endpoint in us-east-1. */
export declare const DSQL_HOST = "abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws";
