export { shape } from './shaping';
export { ResponseShape } from './response-shape.decorator';
export { ShapingInterceptor } from './shaping.interceptor';
export { ShapingModule } from './shaping.module';
export { CursorCodec } from './cursor.codec';
export {
  SparseFields,
  SparseFieldsInterceptor,
  allowedFieldPaths,
  parseFields,
  project,
} from './sparse-fields';
export type { FieldTree } from './sparse-fields';
export { ApiVersioning, DeprecatedEndpoint, deprecationHeaders } from './api-versioning';
export type { ApiVersioningOptions, DeprecatedVersion } from './api-versioning';
export { minAppVersionHook, versionRank, APP_VERSION_HEADER } from './app-version.hook';
export { ShapingInputError, UnsupportedVersionError, UpgradeRequiredError } from './shaping.errors';
