import 'reflect-metadata';
import { runBff } from '@app/core';
import { createAdminBff } from './admin-bff.app';

void runBff('admin-bff', createAdminBff);
