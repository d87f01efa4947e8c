import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DashboardAsset, loadDashboardAssets } from './dashboard-assets';

/** Everything the page loads comes from this origin; nothing inline, no third-party hosts. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');

/** The dashboard: a static page that talks to this API with the user's JWT. */
@ApiExcludeController()
@Controller('dashboard')
export class DashboardController {
  private readonly assets = loadDashboardAssets();

  @Get()
  page(@Res() res: Response): void {
    this.send(res, this.assets.get('index.html'), 'no-cache');
  }

  @Get(':file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    const asset = this.assets.get(file);
    if (!asset || file === 'index.html') throw new NotFoundException('Not found');
    this.send(res, asset, 'no-cache');
  }

  private send(res: Response, asset: DashboardAsset | undefined, cacheControl: string): void {
    if (!asset) throw new NotFoundException('Not found');
    res.setHeader('Content-Type', asset.contentType);
    res.setHeader('Cache-Control', cacheControl);
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.status(200).send(asset.body);
  }
}
