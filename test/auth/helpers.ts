/** Shared by the [auth] tests: users files, a luigid with [auth], raw HTTP calls with any credentials. */
import { spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { writeFileSync } from "node:fs";
import { hashPassword, hashToken, newToken } from "../../src/auth/passwords.js";
import type { Role } from "../../src/auth/roles.js";
import { writeUsersFile, type UserEntry } from "../../src/auth/users-file.js";
import { LUIGID_BIN, startLuigid, type RunningLuigid } from "../helpers/luigid.js";

export interface TestUser {
  name: string;
  role: Role;
  /** The password, or the token for a token user. */
  secret: string;
  token?: boolean;
}

/** Writes a users file through the library (the CLI is tested on its own, and costs a process per user). */
export async function writeUsers(file: string, users: readonly TestUser[]): Promise<void> {
  const entries = new Map<string, UserEntry>();
  for (const u of users) {
    entries.set(
      u.name,
      u.token
        ? { role: u.role, token: hashToken(u.secret) }
        : { role: u.role, password: await hashPassword(u.secret) },
    );
  }
  writeUsersFile(file, entries);
}

export function tokenUser(name: string, role: Role): TestUser {
  return { name, role, secret: newToken(), token: true };
}

/** `luigid user ...` as a real process, `stdin` written to it; stdout and stderr apart. */
export function luigidUser(
  args: string[],
  options: { cwd: string; stdin?: string; env?: Record<string, string> },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [LUIGID_BIN, "user", ...args], {
    cwd: options.cwd,
    env: { ...process.env, LUIGI_CONFIG_PATH: "", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(options.stdin ?? "");
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

/** A luigid with `[auth] users_file` and the extra config lines, on 127.0.0.1. */
export async function startAuthLuigid(
  dir: string,
  usersFile: string,
  extraConfig = "",
): Promise<RunningLuigid> {
  const cfg = path.join(dir, "luigid.cfg");
  writeFileSync(cfg, `[auth]\nusers_file = ${usersFile}\n${extraConfig}`);
  return startLuigid(["--state-path", path.join(dir, "state.json")], {
    cwd: dir,
    env: { LUIGI_CONFIG_PATH: cfg },
  });
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: Record<string, unknown> | undefined;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The client's source address (127.0.0.2 for an "untrusted" peer). */
  localAddress?: string;
}

/** One HTTP request with node:http (fetch cannot pick its source address), no redirects followed. */
export function request(url: string, options: RequestOptions = {}): Promise<Answer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: options.method ?? (options.body === undefined ? "GET" : "POST"),
        headers: {
          ...(options.body === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" }),
          ...options.headers,
        },
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        agent: false,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => {
          let json: Record<string, unknown> | undefined;
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** An RPC in Luigi's encoding (`data=<json>` form POST) with the given headers. */
export function rpcAs(
  url: string,
  method: string,
  args: Record<string, unknown>,
  headers: Record<string, string> = {},
  extra: Omit<RequestOptions, "headers" | "body"> = {},
): Promise<Answer> {
  return request(`${url}/api/${method}`, {
    ...extra,
    headers,
    body: new URLSearchParams({ data: JSON.stringify(args) }).toString(),
  });
}

/** The `error` object of a luigid error answer. */
export function errorOf(answer: Answer): ErrorFields {
  const error: unknown = answer.json?.error;
  return typeof error === "object" && error !== null ? error : {};
}

interface ErrorFields {
  code?: string;
  message?: string;
  method?: string;
  role?: string;
}

/** Logs in through the form; returns the session cookie (`luigid_session=...`). */
export async function login(url: string, user: string, password: string): Promise<string> {
  const res = await request(`${url}/login`, {
    body: new URLSearchParams({ user, password, next: "static/visualiser/index.html" }).toString(),
  });
  const cookie = [res.headers["set-cookie"] ?? []].flat()[0];
  if (res.status !== 303 || !cookie)
    throw new Error(`login of ${user} failed: HTTP ${res.status} ${res.text}`);
  return cookie.split(";")[0] ?? cookie;
}
