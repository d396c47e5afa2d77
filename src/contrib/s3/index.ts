/**
 * luigi-ts/s3: objects in S3 or an S3-compatible store (Luigi's luigi.contrib.s3), on the AWS SDK v3
 * (`@aws-sdk/client-s3`, and `@aws-sdk/lib-storage` for streaming writes), optional peer dependencies
 * loaded on first use. Connection: the options given, else `[s3]` (endpoint_url, region,
 * access_key_id and secret_access_key, force_path_style), else the AWS SDK's own chain (AWS_* variables,
 * profile, instance role). Credentials are never logged, nor shown in errors.
 */
export { S3FileSystem, FOLDER_SUFFIX } from "./file-system.js";
export { S3FlagTarget, S3Target, type S3FlagTargetOptions, type S3TargetOptions } from "./target.js";
export { S3FlagStep, S3PathStep } from "./steps.js";
export type { S3WriteOptions } from "./write-stream.js";
export { closeS3Connections, type S3Options } from "./client.js";
export { parseS3Path, type S3Location } from "./path.js";
