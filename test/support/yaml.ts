// js-yaml 3 (a devDependency; the same major Jest's coverage tooling uses, so one copy is installed),
// used here only, through this one file, so a YAML parser can be swapped in one place.
import { readFileSync } from 'node:fs';
import jsYaml from 'js-yaml';

/** Every document of a YAML file (`---`-separated), empty documents left out. */
export function readYamlDocuments(path: string): unknown[] {
  return jsYaml.safeLoadAll(readFileSync(path, 'utf8')).filter((doc) => doc != null);
}

/** The single document of a YAML file. */
export function readYaml(path: string): unknown {
  return jsYaml.safeLoad(readFileSync(path, 'utf8'));
}

/** One YAML document from a string. */
export function parseYaml(text: string): unknown {
  return jsYaml.safeLoad(text);
}
