export { ResponseShape } from './response-shape.decorator';
export { ShapingModule } from './shaping.module';
export { CursorCodec } from './cursor.codec';
export { SparseFields } from './sparse-fields';
export { ApiVersioning, DeprecatedEndpoint } from './api-versioning';
export type { ApiVersioningOptions } from './api-versioning';
export { minAppVersionHook } from './app-version.hook';
export { ShapingInputError } from './shaping.errors';
