import { Module, type DynamicModule } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { BroadcastModule } from 'nestjs-broadcasting';
import { BroadcastServerModule } from 'nestjs-broadcasting/server';
import { DashboardController } from './dashboard/dashboard.controller.js';
import { OrderChannels } from './orders/order-channels.js';
import { OrdersController } from './orders/orders.controller.js';
import { OrdersService } from './orders/orders.service.js';
import { ShipmentsService } from './orders/shipments.service.js';
import { ShippingListener } from './orders/shipping.listener.js';
import { SAMPLE_OPTIONS, type SampleOptions } from './sample-options.js';
import { SessionController } from './session/session.controller.js';
import { SessionGuard } from './session/session.guard.js';

/** The orders dashboard. `forRoot` picks how broadcasts reach browsers (see {@link SampleOptions}). */
@Module({})
export class AppModule {
  static forRoot(options: SampleOptions): DynamicModule {
    const { app } = options;
    const broadcasting = BroadcastModule.forRoot({
      default: options.mode === 'redis' ? 'redis' : 'local',
      app,
      redis: options.redis,
      // The channel auth endpoint (POST /broadcasting/auth) runs the app's own guard,
      // which sets req.user for the @ChannelAuth callbacks in OrderChannels.
      auth: { guards: [SessionGuard] },
    });
    // In local mode the WebSocket server shares the app's HTTP server and port, and serves
    // the `app` given to BroadcastModule; in redis mode it is a separate
    // `nestjs-broadcasting serve` process reading Redis.
    const server = options.mode === 'local' ? [BroadcastServerModule.forRoot()] : [];
    return {
      module: AppModule,
      imports: [EventEmitterModule.forRoot(), broadcasting, ...server],
      controllers: [SessionController, OrdersController, DashboardController],
      providers: [
        { provide: SAMPLE_OPTIONS, useValue: options },
        SessionGuard,
        OrdersService,
        ShipmentsService,
        ShippingListener,
        OrderChannels,
      ],
    };
  }
}
