// The part of js-yaml 3's API that test/support/yaml.ts uses (no @types package is installed).
declare module 'js-yaml' {
  const jsYaml: {
    safeLoad(text: string): unknown;
    safeLoadAll(text: string): unknown[];
  };
  export default jsYaml;
}
