import { describe, expect, it } from "vitest";
import {
  ConfigError,
  ErrorCode,
  ExternalProgramError,
  LuigiError,
  NonRetryableError,
  reviveThrown,
  serializeThrown,
  StepTimeoutError,
} from "../src/errors.js";

describe("errors across the wire", () => {
  it("toJSON / fromJSON keep the class, code, message and details of every luigi-ts error", () => {
    const errors: LuigiError[] = [
      new NonRetryableError("no", { details: { row: 3 } }),
      new StepTimeoutError("late", { seconds: 2 }),
      new ConfigError("[worker] timeout = x: expected a number", { section: "worker", key: "timeout" }),
      new ExternalProgramError(
        "program exited with code 3: false",
        { argv: ["false"], exitCode: 3, signal: null, stderrTail: [] },
        ErrorCode.EXTERNAL_PROGRAM_FAILED,
      ),
      new ExternalProgramError("program timed out", { argv: ["x"] }, ErrorCode.EXTERNAL_PROGRAM_TIMEOUT),
    ];
    for (const err of errors) {
      const back = LuigiError.fromJSON(JSON.parse(JSON.stringify(err.toJSON())) as never);
      expect(back).toBeInstanceOf(err.constructor);
      expect(back.code).toBe(err.code);
      expect(back.message).toBe(err.message);
      expect(back.details).toEqual(err.details);
      expect(back.stack).toBe(err.stack);
    }
  });

  it("serializeThrown / reviveThrown carry any thrown value through JSON (a child process's IPC)", () => {
    const typed = reviveThrown(
      JSON.parse(JSON.stringify(serializeThrown(new NonRetryableError("bad")))) as never,
    );
    expect(typed).toBeInstanceOf(NonRetryableError);
    expect((typed as NonRetryableError).code).toBe(ErrorCode.NON_RETRYABLE);

    const plain = new RangeError("out of range");
    const revived = reviveThrown(JSON.parse(JSON.stringify(serializeThrown(plain))) as never);
    expect(revived.name).toBe("RangeError");
    expect(revived.message).toBe("out of range");
    expect(revived.stack).toBe(plain.stack);
    expect(serializeThrown(plain).code).toBe(ErrorCode.STEP_FAILED);

    expect(reviveThrown(serializeThrown("just text")).message).toBe("just text");
  });
});
