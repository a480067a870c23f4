export { SessionModule } from './session.module';
export type { SessionModuleOptions } from './session.module';
export { spaCorsOptions } from './session.http';
