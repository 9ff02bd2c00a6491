import {
  Controller,
  Get,
  Header,
  Inject,
  NotFoundException,
  Param,
  StreamableFile,
} from '@nestjs/common';
import { SAMPLE_OPTIONS, type SampleOptions } from '../sample-options.js';
import { loadDashboardAssets } from './dashboard-assets.js';
import type { DashboardConfig } from './dashboard-config.js';

/** Serves the dashboard page, its scripts, and its connection settings. */
@Controller()
export class DashboardController {
  private readonly files = loadDashboardAssets();

  constructor(@Inject(SAMPLE_OPTIONS) private readonly options: SampleOptions) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  page(): StreamableFile {
    return new StreamableFile(this.files.page, { type: 'text/html; charset=utf-8' });
  }

  @Get('assets/:file')
  asset(@Param('file') file: string): StreamableFile {
    const asset = this.files.assets.get(file);
    if (!asset) throw new NotFoundException(`No asset named ${file}.`);
    return new StreamableFile(asset.body, { type: asset.type, length: asset.body.length });
  }

  @Get('api/config')
  config(): DashboardConfig {
    const ws = this.options.mode === 'redis' ? this.options.websocket : undefined;
    return { key: this.options.app.key, wsHost: ws?.host ?? null, wsPort: ws?.port ?? null };
  }
}
