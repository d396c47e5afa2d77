/**
 * luigid's TLS files: read and checked before luigid touches anything else, so that a bad file stops the
 * start with a message naming it (and the state files stay as they were), instead of a handshake error
 * on the first worker's call. Checked: both files given, readable, a PEM certificate, a PEM private key
 * (not encrypted: luigid has no one to ask for a passphrase), and the key belonging to the certificate.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { UsageError } from "../errors.js";

export interface TlsFiles {
  /** Path of the certificate chain (PEM: the server's certificate first, then intermediates). */
  certFile: string;
  /** Path of the certificate's private key (PEM). */
  keyFile: string;
}

/** What node:https takes, plus what luigid logs about it. */
export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
  /** The certificate's subject and names, for the start-up log line. */
  subject: string;
  /** When the certificate stops being valid. */
  validTo: Date;
}

/** Where each file came from, for messages: `--certfile` or `[scheduler] certfile`. */
export interface TlsFileNames {
  cert: string;
  key: string;
}

const FLAG_NAMES: TlsFileNames = { cert: "--certfile", key: "--keyfile" };

function refuse(message: string, file: string): UsageError {
  return new UsageError(message, { file });
}

function read(file: string, name: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EACCES"
          ? "permission denied"
          : code === "EISDIR"
            ? "a directory, not a file"
            : (err as Error).message;
    throw refuse(`${name} ${file}: cannot read it (${why})`, file);
  }
}

/** OpenSSL's reason without its numeric prefix ("error:1E08010C:DECODER routines::unsupported"). */
function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/^error:[0-9A-F]+:/i, "").replace(/^[A-Za-z ]+routines::/, "");
}

/**
 * Reads and checks the certificate and key; throws UsageError naming the file that is wrong. `names`
 * says how the user gave them (flags by default), so the message points at what to fix.
 */
export function loadTlsCredentials(files: TlsFiles, names: TlsFileNames = FLAG_NAMES): TlsCredentials {
  const cert = read(files.certFile, names.cert);
  const key = read(files.keyFile, names.key);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (err) {
    throw refuse(
      `${names.cert} ${files.certFile}: not a PEM certificate (${reason(err)}); it should start with -----BEGIN CERTIFICATE-----`,
      files.certFile,
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    const text = reason(err);
    const pem = key.toString("latin1");
    const hint = /passphrase/i.test(text)
      ? "it is encrypted: luigid needs an unencrypted key (openssl pkey -in KEY -out PLAIN)"
      : pem.includes("BEGIN CERTIFICATE") && !pem.includes("PRIVATE KEY")
        ? "it holds a certificate, not a key"
        : `${text}; a PEM private key starts with -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----`;
    throw refuse(`${names.key} ${files.keyFile}: not a usable PEM private key (${hint})`, files.keyFile);
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw refuse(
      `${names.key} ${files.keyFile} is not the private key of the certificate in ${files.certFile}`,
      files.keyFile,
    );
  }
  try {
    // What the server will do with them; catches what the checks above do not (a broken chain entry).
    createSecureContext({ cert, key });
  } catch (err) {
    throw refuse(`${names.cert} ${files.certFile}: OpenSSL refuses it (${reason(err)})`, files.certFile);
  }
  const shown = certificate.subjectAltName ?? certificate.subject.replace(/\n/g, ", ");
  return { cert, key, subject: shown, validTo: new Date(certificate.validTo) };
}

/**
 * The TLS files luigid is to use: the flags win over `[scheduler]`, and each file is taken from where it
 * was given. Undefined when neither is set; one without the other is refused.
 */
export function resolveTlsFiles(
  flags: { certFile?: string | undefined; keyFile?: string | undefined },
  config: TlsFiles,
): { files: TlsFiles; names: TlsFileNames } | undefined {
  const cert = flags.certFile ?? (config.certFile === "" ? undefined : config.certFile);
  const key = flags.keyFile ?? (config.keyFile === "" ? undefined : config.keyFile);
  const names: TlsFileNames = {
    cert: flags.certFile !== undefined ? "--certfile" : "[scheduler] certfile",
    key: flags.keyFile !== undefined ? "--keyfile" : "[scheduler] keyfile",
  };
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined) {
    throw new UsageError(
      `${names.key} is set but no certificate: give --certfile (or [scheduler] certfile) too`,
    );
  }
  if (key === undefined) {
    throw new UsageError(
      `${names.cert} is set but no private key: give --keyfile (or [scheduler] keyfile) too`,
    );
  }
  return { files: { certFile: cert, keyFile: key }, names };
}
