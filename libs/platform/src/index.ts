export { BffPlatformModule, platformDownstreamModule } from './platform.module';
export type { BffPlatformOptions } from './platform.options';
export { createPlatformApp } from './platform-app.factory';
export type { BffPlatformAppOptions } from './platform-app.factory';
export { openApiDocumentOf } from './openapi';
export type { OpenApiInfo } from './openapi';
export { applyCompression } from './compression';
export type { CompressionOptions } from './compression';
