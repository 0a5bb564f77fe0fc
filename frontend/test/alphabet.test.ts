// The alphabet is a port of the Python one: this fails when the two drift apart.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import {
  countSegments,
  GSM7_BASIC,
  GSM7_EXTENSION,
  GSM7_PART,
  GSM7_SINGLE,
  UCS2_PART,
  UCS2_SINGLE,
} from "../src/segments";

const source = fileURLToPath(
  new URL("../../custom_components/esendex/sms_text.py", import.meta.url),
);

/** The characters of `NAME: Final = frozenset("..." "...")`, its literals read as JSON. */
function pythonSet(text: string, name: string): Set<string> {
  const match = new RegExp(`^${name}: Final = frozenset\\(([\\s\\S]*?)\\)\\n`, "m").exec(text);
  if (!match) throw new Error(`${name} not found in sms_text.py`);
  const literals = match[1]!.match(/"(?:[^"\\]|\\.)*"/g) ?? [];
  return new Set(literals.map((literal) => JSON.parse(literal) as string).join(""));
}

function pythonInt(text: string, name: string): number {
  const match = new RegExp(`^${name}: Final = (\\d+)$`, "m").exec(text);
  if (!match) throw new Error(`${name} not found in sms_text.py`);
  return Number(match[1]);
}

describe.runIf(existsSync(source))("the alphabet of sms_text.py", () => {
  const text = existsSync(source) ? readFileSync(source, "utf8") : "";

  it("has the same basic set", () => {
    expect([...GSM7_BASIC].sort()).toEqual([...pythonSet(text, "GSM7_BASIC")].sort());
    // The 128 characters of GSM 03.38 less the escape.
    expect(GSM7_BASIC.size).toBe(127);
  });

  it("has the same extension table", () => {
    expect([...GSM7_EXTENSION].sort()).toEqual([...pythonSet(text, "GSM7_EXTENSION")].sort());
  });

  it("has the same part sizes", () => {
    expect([GSM7_SINGLE, GSM7_PART, UCS2_SINGLE, UCS2_PART]).toEqual([
      pythonInt(text, "GSM7_SINGLE"),
      pythonInt(text, "GSM7_PART"),
      pythonInt(text, "UCS2_SINGLE"),
      pythonInt(text, "UCS2_PART"),
    ]);
  });
});

// The same texts through the Python sms_parts, where a python3 is at hand.
const python = spawnSync("python3", ["--version"], { encoding: "utf8" });
const samples = [
  "",
  "hello",
  "a".repeat(160),
  "a".repeat(161),
  "a".repeat(306),
  "a".repeat(307),
  "a".repeat(152) + "€" + "a".repeat(152),
  "a".repeat(158) + "€",
  "a".repeat(159) + "€",
  "{".repeat(80),
  "{".repeat(81),
  "ê" + "a".repeat(133),
  "ê" + "a".repeat(134),
  "a".repeat(66) + "😀" + "a".repeat(10),
  "😀".repeat(35),
  "😀".repeat(36),
  "£€éê\n\r^|~",
  "Gate code please",
];

describe.runIf(existsSync(source) && python.status === 0)("sms_parts of sms_text.py", () => {
  it("gives the same number of parts as countSegments", () => {
    const script = [
      "import importlib.util, json, sys",
      "spec = importlib.util.spec_from_file_location('sms_text', sys.argv[1])",
      "module = importlib.util.module_from_spec(spec)",
      "spec.loader.exec_module(module)",
      "texts = json.loads(sys.stdin.read())",
      "print(json.dumps([module.sms_parts(t) for t in texts]))",
    ].join("\n");
    const run = spawnSync("python3", ["-c", script, source], {
      input: JSON.stringify(samples),
      encoding: "utf8",
    });
    expect(run.status, run.stderr).toBe(0);
    expect(samples.map((text) => countSegments(text).parts)).toEqual(JSON.parse(run.stdout));
  });
});
