export { shape } from './shaping';
export { ResponseShape } from './response-shape.decorator';
export { ShapingInterceptor } from './shaping.interceptor';
export { ShapingModule } from './shaping.module';
