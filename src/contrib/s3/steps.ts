import { param } from "../../step/params/index.js";
import { ExternalStep } from "../../step/step.js";
import { S3FlagTarget, S3Target } from "./target.js";

/** Data in S3 that something else writes (Luigi's S3PathTask): complete when the path exists. */
export class S3PathStep extends ExternalStep.with({
  path: param.str({ description: "s3://bucket/key" }),
}) {
  output(): S3Target {
    return new S3Target(this.path);
  }
}

/**
 * A directory in S3 that something else fills (Luigi's S3FlagTask): complete when its flag object
 * (`_SUCCESS` unless `flag` says otherwise) is there.
 */
export class S3FlagStep extends ExternalStep.with({
  path: param.str({ description: "s3://bucket/dir/ (ending with /)" }),
  flag: param.str({ default: "_SUCCESS", description: "the flag object's name" }),
}) {
  output(): S3FlagTarget {
    return new S3FlagTarget(this.path, { flag: this.flag });
  }
}
