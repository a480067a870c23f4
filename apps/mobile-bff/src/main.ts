import 'reflect-metadata';
import { runBff } from '@app/core';
import { createMobileBff } from './mobile-bff.app';

void runBff('mobile-bff', createMobileBff);
