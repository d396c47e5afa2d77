// The S3-compatible server of test/helpers/s3-server.ts, in a process of its own: S3rver
// (@20minutes/s3rver) on 127.0.0.1, a random port, its objects in `argv[2]`, the buckets `argv[3..]`.
// Run with --openssl-legacy-provider: S3rver makes ListObjectsV2's continuation tokens with DES, which
// OpenSSL 3 offers only through its legacy provider. It reports its port, then every request line, over
// IPC; a "sync" message is answered once every earlier request line has been sent.
import { createRequire } from "node:module";

const S3rver = createRequire(import.meta.url)("@20minutes/s3rver");
const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: "127.0.0.1",
  port: 0,
  silent: true,
  directory,
  configureBuckets: buckets.map((name) => ({ name })),
  // Its signature check builds the canonical URI without the trailing "/" that the AWS SDK v3 signs
  // for bucket-level requests (ListObjectsV2, DeleteObjects), so it would refuse those; the access key
  // id is still checked.
  allowMismatchedSignatures: true,
});
const { port } = await server.run();
server.httpServer.on("request", (req) => process.send?.({ request: `${req.method} ${req.url}` }));
process.on("message", (message) => {
  if (message === "sync") process.send?.("synced");
  if (message === "stop") void server.close().then(() => process.exit(0));
});
process.on("disconnect", () => process.exit(0));
process.send?.({ port });
