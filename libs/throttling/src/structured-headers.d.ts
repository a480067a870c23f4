// structured-headers names its types only in `exports`, which the repo's node10 resolution ignores;
// at run time `require` goes through `exports` to its CommonJS build as usual.
declare module 'structured-headers' {
  export * from 'structured-headers/dist/index';
}
