import type { BffAppName } from '@app/config';
import { createAdminBff } from '../../apps/admin-bff/src/admin-bff.app';
import { createMobileBff } from '../../apps/mobile-bff/src/mobile-bff.app';
import { createWebBff } from '../../apps/web-bff/src/web-bff.app';
import type { AppFactory } from './stack';

/** The app factory of each BFF, by name. */
export const BFF_APPS: Readonly<Record<BffAppName, AppFactory>> = {
  'web-bff': createWebBff,
  'mobile-bff': createMobileBff,
  'admin-bff': createAdminBff,
};
