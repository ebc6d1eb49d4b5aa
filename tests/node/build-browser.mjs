// Bundles a page of ./browser for Chromium with esbuild (a devDependency: nothing is fetched).
// Usage: node build-browser.mjs <entry.mjs> <outfile.js>; prints one RESULT line.
import { build } from "esbuild";

const [entry, outfile] = process.argv.slice(2);
if (!entry || !outfile) throw new Error("usage: node build-browser.mjs <entry> <outfile>");
const result = await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: false,
  logLevel: "warning",
  metafile: true,
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, out) => sum + out.bytes, 0);
console.log(`RESULT ${JSON.stringify({ ok: result.errors.length === 0, bytes })}`);
