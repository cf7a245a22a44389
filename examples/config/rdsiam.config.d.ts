declare const _default: import("rdsiam").RdsIamConfigInput;
export default _default;
