export { SessionModule } from './session.module';
export type { SessionModuleOptions } from './session.module';
export { SessionService } from './session.service';
export { spaCorsOptions, endRequestSession } from './session.http';
