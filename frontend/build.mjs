// Bundles the card (lit included) into the one ES module the integration serves.
//
//   node build.mjs           writes ../custom_components/esendex/frontend/esendex-messages-card.js
//   node build.mjs --check   builds in memory and fails if the committed file differs
//
// The build is deterministic (same sources and lockfile, same bytes): no timestamps,
// no absolute paths, no source map.

import { readFile, writeFile, mkdir } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const entry = join(here, "src", "esendex-messages-card.ts");
const outfile = join(here, "..", "custom_components", "esendex", "frontend", "esendex-messages-card.js");
const check = process.argv.includes("--check");

const result = await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["es2021"],
  minify: true,
  legalComments: "eof",
  charset: "utf8",
  sourcemap: false,
  write: false,
  absWorkingDir: here,
  logLevel: "warning",
  banner: {
    js: "// Esendex SMS messages card. Built from frontend/ by `npm run build`: do not edit.",
  },
});

const [output] = result.outputFiles;
const built = Buffer.from(output.contents);
const shown = relative(process.cwd(), outfile) || outfile;

if (check) {
  let committed = null;
  try {
    committed = await readFile(outfile);
  } catch {
    // Missing counts as stale.
  }
  if (committed === null || !committed.equals(built)) {
    console.error(
      `${shown}: the built card is stale: run \`npm run build\` in frontend/` +
        (committed === null ? " (the file is missing)" : ""),
    );
    process.exit(1);
  }
  console.log(`${shown} is up to date (${built.length} bytes)`);
} else {
  await mkdir(dirname(outfile), { recursive: true });
  await writeFile(outfile, built);
  console.log(`wrote ${shown} (${built.length} bytes)`);
}
