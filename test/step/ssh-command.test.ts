// The command lines ExternalProgramStep builds for SSH (src/step/ssh.ts), checked without an sshd: the
// remote line is run by a local shell (as a remote login shell would run it) and must hand the program
// its argv, environment and directory word for word; a stand-in `ssh` (sshBinary) that prints a login
// message first shows the remote pid's line is still found and dropped.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ExternalProgramStep, shellQuote, StepDefinitionError } from "../../src/index.js";
import { checkRemote, REMOTE_PID_MARKER, remoteCommand, sshArgv } from "../../src/step/ssh.js";

const WORDS = [
  "a b",
  "it's",
  "$HOME",
  "; echo injected",
  "`id`",
  '"q"',
  "back\\slash",
  "*",
  "",
  "new\nline",
  "-n",
];

describe("the SSH command line", () => {
  it("quotes words for a POSIX shell, leaving plain ones as they are", () => {
    expect(shellQuote("plain/path-1.txt")).toBe("plain/path-1.txt");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote("")).toBe("''");
    for (const word of WORDS) {
      const echoed = spawnSync("sh", ["-c", `printf '%s' ${shellQuote(word)}`], { encoding: "utf8" });
      expect(echoed.stdout).toBe(word);
    }
  });

  it("builds a remote line that gives the program its argv, environment and directory word for word", () => {
    const dir = realpathSync(mkdtempSync(path.join(tmpdir(), "luigi-ts-ssh-cmd-")));
    const line = remoteCommand(
      ["sh", "-c", 'printf "[%s]\\n" "$@"; echo "[$GREETING]" "[${DROPPED-unset}]"; pwd', "sh", ...WORDS],
      { GREETING: "it's $x; `y`", DROPPED: undefined },
      dir,
      "Remote",
    );
    const run = spawnSync("sh", ["-c", line], {
      encoding: "utf8",
      env: { ...process.env, DROPPED: "was set" },
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`^${REMOTE_PID_MARKER} \\d+\\n$`));
    expect(run.stdout).toBe([...WORDS.map((w) => `[${w}]`), "[it's $x; `y`] [unset]", dir, ""].join("\n"));
  });

  it("puts the options before `--` and the host", () => {
    const remote = checkRemote(
      {
        host: "db-1",
        user: "etl",
        port: 2222,
        keyFile: "/k",
        connectTimeout: 5,
        sshOptions: ["ServerAliveInterval=30"],
      },
      "F",
    );
    expect(sshArgv(remote, "CMD")).toEqual([
      "ssh",
      "-o",
      "BatchMode=yes",
      "-o",
      "ControlMaster=no",
      "-p",
      "2222",
      "-l",
      "etl",
      "-i",
      "/k",
      "-o",
      "ConnectTimeout=5",
      "-o",
      "ServerAliveInterval=30",
      "--",
      "db-1",
      "CMD",
    ]);
    expect(checkRemote("etl@db-1", "F")).toEqual({ host: "db-1", user: "etl" });
  });

  it("refuses a bad remote field or variable name, naming it", () => {
    expect(() => checkRemote({ host: "-oProxyCommand=x" }, "F")).toThrow(/F\.remote\(\): host must be/);
    expect(() => checkRemote({ host: "h", port: 70000 }, "F")).toThrow(/port must be an integer/);
    expect(() => checkRemote({ host: "h", sshOptions: ["-x"] }, "F")).toThrow(StepDefinitionError);
    expect(() => remoteCommand(["true"], { "A-B": "x" }, undefined, "F")).toThrow(
      /'A-B' is not a variable name/,
    );
  });

  it("finds the remote pid's line after what a login prints first, and keeps that", async () => {
    const dir = realpathSync(mkdtempSync(path.join(tmpdir(), "luigi-ts-ssh-cmd-")));
    // A stand-in for ssh that runs the command here, after a login message on stderr.
    const fake = path.join(dir, "fake-ssh");
    writeFileSync(
      fake,
      '#!/bin/sh\necho "welcome to the host" >&2\nfor last; do :; done\nexec sh -c "$last"\n',
    );
    chmodSync(fake, 0o755);
    class Fake extends ExternalProgramStep {
      program() {
        return ["sh", "-c", "echo out; echo oops >&2; exit 2"];
      }
      override remote() {
        return { host: "h", sshBinary: fake };
      }
    }
    const err = await new Fake().run().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toBe(
      "program on h exited with code 2: sh -c 'echo out; echo oops >&2; exit 2'\nits last 2 lines on stderr:\n  welcome to the host\n  oops",
    );
  });
});
