// NestJS with @nestjs/typeorm: TypeOrmModule.forRootAsync takes the options from typeormOptionsFromConfig, so the
// module's pool signs every new connection in with a current token. Run here headless, as an application context.
// tsx/esbuild compile the decorators but emit no decorator metadata: constructor injection by type needs tsc or
// swc (emitDecoratorMetadata), or @Inject(token). This module needs neither.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { typeormOptionsFromConfig } from 'rdsiam';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({ useFactory: () => typeormOptionsFromConfig({ merge: { autoLoadEntities: true } }) }),
  ],
})
class AppModule {}

const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
try {
  const [row] = (await app.get(DataSource).query('SELECT CURRENT_USER AS who')) as { who: string }[];
  console.log(`nestjs typeorm connected as ${row?.who}`);
} finally {
  await app.close();
}
