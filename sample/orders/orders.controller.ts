import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  Post,
  UseGuards,
} from '@nestjs/common';
import { CurrentUser } from '../session/current-user.decorator.js';
import type { SampleUser } from '../session/sample-user.js';
import { SessionGuard } from '../session/session.guard.js';
import { toOrderView, type OrderView } from './order.js';
import { OrdersService } from './orders.service.js';
import { ShipmentsService } from './shipments.service.js';

@Controller('api')
@UseGuards(SessionGuard)
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly shipments: ShipmentsService,
  ) {}

  /** The dashboard's first paint: the user's orders and the shipment count so far. */
  @Get('orders')
  list(@CurrentUser() user: SampleUser): { orders: OrderView[]; shippedCount: number } {
    return {
      orders: this.orders.listFor(user).map(toOrderView),
      shippedCount: this.shipments.count,
    };
  }

  @Post('orders')
  async place(
    @CurrentUser() user: SampleUser,
    @Body() body: { item?: string },
  ): Promise<OrderView> {
    return toOrderView(
      await this.orders.place(user, typeof body?.item === 'string' ? body.item : undefined),
    );
  }

  @Post('orders/:id/ship')
  @HttpCode(200)
  async ship(
    @CurrentUser() user: SampleUser,
    @Param('id', ParseIntPipe) id: number,
  ): Promise<OrderView> {
    return toOrderView(await this.orders.ship(user, id));
  }
}
