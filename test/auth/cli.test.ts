/**
 * `luigid user add|remove|list` as real processes, and luigid refusing to start on a bad `[auth]`.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { verifyPassword } from "../../src/auth/passwords.js";
import { readUsersFile } from "../../src/auth/users-file.js";
import { workdir } from "../helpers/cli.js";
import { LUIGID_BIN, runLuigid } from "../helpers/luigid.js";
import { luigidUser } from "./helpers.js";

function hasPython(): boolean {
  return spawnSync("python3", ["--version"]).status === 0;
}

describe("luigid user", () => {
  it("adds a user with a password from stdin, stores only a salted scrypt hash, mode 0600; replaces and removes it", async () => {
    const { dir } = workdir();
    const file = path.join(dir, "users.json");
    const added = await luigidUser(["add", "alice", "--role", "operator", "--users-file", file], {
      cwd: dir,
      stdin: "correct horse\n",
    });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toContain(`added alice (operator) in ${file}`);
    expect(added.stdout).toBe("");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain("correct horse");
    const alice = readUsersFile(file).get("alice");
    expect(alice?.role).toBe("operator");
    expect(alice?.password).toMatchObject({ alg: "scrypt", N: 32768, r: 8, p: 1 });
    expect(await verifyPassword("correct horse", alice!.password!)).toBe(true);
    expect(await verifyPassword("correct horsE", alice!.password!)).toBe(false);

    // The same password twice gives two different hashes (a salt each).
    await luigidUser(["add", "bob", "--role", "viewer", "--users-file", file], {
      cwd: dir,
      stdin: "correct horse\n",
    });
    const users = readUsersFile(file);
    expect(users.get("bob")?.password?.hash).not.toBe(alice?.password?.hash);

    const replaced = await luigidUser(["add", "alice", "--role", "admin", "--users-file", file], {
      cwd: dir,
      stdin: "battery staple\r\n",
    });
    expect(replaced.stderr).toContain("replaced alice (admin)");
    expect(await verifyPassword("battery staple", readUsersFile(file).get("alice")!.password!)).toBe(true);

    const list = await luigidUser(["list", "--users-file", file], { cwd: dir });
    expect(list.stdout).toBe("alice\tadmin\tpassword\nbob\tviewer\tpassword\n");

    const removed = await luigidUser(["remove", "bob", "--users-file", file], { cwd: dir });
    expect(removed.code).toBe(0);
    expect([...readUsersFile(file).keys()]).toEqual(["alice"]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("--token prints a new token once and stores its hash; the users file comes from [auth] users_file", async () => {
    const { dir } = workdir();
    const cfg = path.join(dir, "luigi.cfg");
    writeFileSync(cfg, "[auth]\nusers_file = users.json\n");
    const env = { LUIGI_CONFIG_PATH: cfg };
    const made = await luigidUser(["add", "worker1", "--role", "worker", "--token"], { cwd: dir, env });
    expect(made.code, made.stderr).toBe(0);
    const token = made.stdout.trim();
    expect(token).toMatch(/^lt_[A-Za-z0-9_-]{43}$/);
    const stored = readFileSync(path.join(dir, "users.json"), "utf8");
    expect(stored).not.toContain(token);
    expect(readUsersFile(path.join(dir, "users.json")).get("worker1")?.token?.alg).toBe("sha256");
    const again = await luigidUser(["add", "worker1", "--role", "worker", "--token"], { cwd: dir, env });
    expect(again.stdout.trim()).not.toBe(token);
    expect((await luigidUser(["list"], { cwd: dir, env })).stdout).toBe("worker1\tworker\ttoken\n");
  });

  it("refuses bad usage with exit 2 and a message naming what was wrong", async () => {
    const { dir } = workdir();
    const file = path.join(dir, "users.json");
    const cases: [string[], string, string][] = [
      [["add", "alice", "--users-file", file], "x\n", "needs --role"],
      [
        ["add", "alice", "--role", "root", "--users-file", file],
        "x\n",
        "--role root: expected viewer, worker, operator, admin",
      ],
      [["add", "al:ice", "--role", "viewer", "--users-file", file], "x\n", 'user name "al:ice"'],
      [["add", "alice", "--role", "viewer", "--users-file", file], "", "no password for alice on stdin"],
      [["remove", "nobody", "--users-file", file], "", `no user nobody in ${file}`],
      [["rename", "alice", "--users-file", file], "", "unknown command luigid user rename"],
      [["add", "alice", "--rle", "viewer"], "", "Unknown option '--rle'"],
      [["list"], "", "no users file: pass --users-file PATH or set [auth] users_file"],
    ];
    for (const [args, stdin, words] of cases) {
      const res = await luigidUser(args, { cwd: dir, stdin });
      expect(res.code, args.join(" ")).toBe(2);
      expect(res.stderr, args.join(" ")).toContain(words);
    }
    // Nothing was written by the refused commands.
    expect(() => statSync(file)).toThrow();
    const help = await luigidUser(["--help"], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stderr).toContain("luigid user add NAME --role ROLE [--token] [--users-file PATH]");
  });
});

// Drives `luigid user add` on a pseudo-terminal (Python's pty module): what a person typing sees.
const PTY_DRIVER = String.raw`
import os, pty, sys
argv, answers = sys.argv[1:-2], sys.argv[-2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
seen = b""
def read_until(marker):
    global seen
    while marker not in seen:
        chunk = os.read(fd, 1024)
        if not chunk:
            break
        seen += chunk
read_until(b"Password for alice: ")
os.write(fd, answers[0].encode() + b"\r")
read_until(b"Again: ")
os.write(fd, answers[1].encode() + b"\r")
try:
    while True:
        chunk = os.read(fd, 1024)
        if not chunk:
            break
        seen += chunk
except OSError:
    pass
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode("utf-8", "replace"))
sys.exit(os.WEXITSTATUS(status))
`;

describe.skipIf(!hasPython())("luigid user add on a terminal", () => {
  const run = (file: string, first: string, second: string) => {
    const r = spawnSync(
      "python3",
      [
        "-c",
        PTY_DRIVER,
        process.execPath,
        LUIGID_BIN,
        "user",
        "add",
        "alice",
        "--role",
        "viewer",
        "--users-file",
        file,
        first,
        second,
      ],
      { encoding: "utf8", timeout: 30_000, env: { ...process.env, LUIGI_CONFIG_PATH: "" } },
    );
    return { code: r.status, out: r.stdout + r.stderr };
  };

  it("asks twice without echoing the password, and refuses two different ones", async () => {
    const { dir } = workdir();
    const file = path.join(dir, "users.json");
    const ok = run(file, "typed-secret", "typed-secret");
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toContain("Password for alice: ");
    expect(ok.out).toContain("Again: ");
    expect(ok.out).not.toContain("typed-secret");
    expect(await verifyPassword("typed-secret", readUsersFile(file).get("alice")!.password!)).toBe(true);

    const differ = run(path.join(dir, "other.json"), "one", "two");
    expect(differ.code).toBe(2);
    expect(differ.out).toContain("the two passwords differ; nothing changed");
    expect(() => statSync(path.join(dir, "other.json"))).toThrow();
  });
});

describe("luigid with a bad [auth] refuses to start, naming the problem", () => {
  it.each([
    [
      "a users file that does not exist",
      (dir: string) => `users_file = ${dir}/none.json`,
      "does not exist; create it with `luigid user add NAME --role admin",
    ],
    [
      "a users file that is not JSON",
      (dir: string) => (writeFileSync(`${dir}/u.json`, "{nope"), `users_file = ${dir}/u.json`),
      "not valid JSON",
    ],
    [
      "a user with an unknown role",
      (dir: string) => (
        writeFileSync(
          `${dir}/u.json`,
          JSON.stringify({ format: "luigi-ts/users", version: 1, users: { a: { role: "root", token: {} } } }),
        ),
        `users_file = ${dir}/u.json`
      ),
      'user a: role "root"',
    ],
    [
      "a proxy header without trusted proxies",
      () => "proxy_user_header = X-Forwarded-User",
      "needs [auth] trusted_proxies",
    ],
    [
      "a bad trusted proxy",
      () => "proxy_user_header = X-User\ntrusted_proxies = 10.0.0.0/33",
      '"10.0.0.0/33" is not an IP address or CIDR range',
    ],
    [
      "an unknown default role",
      () => "proxy_user_header = X-User\ntrusted_proxies = 10.0.0.0/8\nproxy_default_role = boss",
      'proxy_default_role = "boss"',
    ],
  ])("%s", async (_what, auth, words) => {
    const { dir } = workdir();
    const cfg = path.join(dir, "luigid.cfg");
    writeFileSync(cfg, `[auth]\n${auth(dir)}\n`);
    const res = await runLuigid(
      ["--port", "0", "--address", "127.0.0.1", "--state-path", path.join(dir, "s.json")],
      dir,
      {
        LUIGI_CONFIG_PATH: cfg,
      },
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("luigid: could not start:");
    expect(res.stderr).toContain(words);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });
});
