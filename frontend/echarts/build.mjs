// Bundles entry.js (tree-shaken ESM from the npm package) into one minified script for static/vendor/.
import { readFileSync } from "node:fs";
import { build } from "esbuild";

const version = JSON.parse(readFileSync(new URL("./node_modules/echarts/package.json", import.meta.url))).version;
const banner = `/*! Apache ECharts ${version} (custom build: bar, line, pie; grid, tooltip, legend; SVG renderer),
 * with ZRender (BSD-3-Clause) and tslib (0BSD). Licensed under the Apache License 2.0; see LICENSE,
 * LICENSE-zrender, LICENSE-tslib and NOTICE beside this file. Built by frontend/echarts/build.mjs. */`;

await build({
  entryPoints: [new URL("./entry.js", import.meta.url).pathname],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2017",
  legalComments: "none",
  banner: { js: banner },
  define: { "process.env.NODE_ENV": '"production"', __DEV__: "false" },
  outfile: new URL("../../static/vendor/echarts/echarts.min.js", import.meta.url).pathname,
});
console.log(`built static/vendor/echarts/echarts.min.js from echarts ${version}`);
