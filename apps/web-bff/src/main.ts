import 'reflect-metadata';
import { runBff } from '@app/core';
import { createWebBff } from './web-bff.app';

void runBff('web-bff', createWebBff);
