// The dashboard's browser code, bundled with laravel-echo and pusher-js by
// `npm run build:sample` (sample/dashboard/build-page.ts). Channel names, event names and
// payload types all come from ../../contracts/dashboard.contracts.ts, the file the server's
// events and @ChannelAuth rules are checked against: a rename on either side fails to compile.
import Echo from 'laravel-echo';
import Pusher from 'pusher-js';
import { joinPresence, listen, type SubscriptionError } from 'nestjs-broadcasting/client';
import type { MemberOf } from 'nestjs-broadcasting/contract';
import {
  Dashboard,
  OrderChannel,
  OrderCreated,
  OrderShipped,
  ShipmentsCounted,
  UserFeed,
} from '../../contracts/dashboard.contracts.js';
import type { OrderView } from '../../orders/order.js';
import type { SampleUser } from '../../session/sample-user.js';
import type { DashboardConfig } from '../dashboard-config.js';

type Member = MemberOf<typeof Dashboard>;

/** What a refusal hands over (the helpers' `error` option, or Echo's `.error()`). */
type ChannelError = SubscriptionError & { message?: string };

const $ = <T extends HTMLElement = HTMLElement>(selector: string) =>
  document.querySelector<T>(selector)!;

/** Order rows by id, so a broadcast can update its row in place. */
const rows = new Map<number, HTMLTableRowElement>();
let me: SampleUser;
let echo: Echo<'reverb'>;

main().catch((error: Error) => logEvent(`Dashboard failed to start: ${error.message}`));

async function main(): Promise<void> {
  // 200 with `user: null` when signed out, so a first visit logs nothing in the console.
  const { user } = (await fetch('/api/me').then((r) => r.json())) as { user: SampleUser | null };
  if (!user) return showLogin();
  me = user;

  $('#whoami').textContent = `Signed in as ${me.name}`;
  $('#whoami').hidden = false;
  $('#logout').hidden = false;
  $('#dashboard-view').hidden = false;

  const [config, initial] = (await Promise.all([
    fetch('/api/config').then((r) => r.json()),
    fetch('/api/orders').then((r) => r.json()),
  ])) as [DashboardConfig, { orders: OrderView[]; shippedCount: number }];
  echo = connect(config);
  for (const order of initial.orders) addOrder(order);
  $('#shipped-count').textContent = String(initial.shippedCount);

  // New orders of this user, from any tab: the per-user private channel.
  const feed = UserFeed.name({ userId: me.id });
  listen(
    echo,
    OrderCreated,
    { userId: me.id },
    (event) => {
      logEvent(`OrderCreated #${event.order.id} on ${feed}`);
      addOrder(event.order, true);
    },
    { error: (error) => logEvent(`Refused ${feed}: ${describe(error)}`) },
  );

  // Who else has the dashboard open: the presence channel, members typed by the contract.
  const online = new Map<string, Member>();
  const renderOnline = () => {
    $('#presence').replaceChildren(
      ...[...online.values()].map((member) => {
        const li = document.createElement('li');
        li.textContent = member.id === me.id ? `${member.name} (you)` : member.name;
        li.dataset.userId = member.id;
        return li;
      }),
    );
  };
  joinPresence(
    echo,
    Dashboard,
    {},
    {
      here(members) {
        online.clear();
        for (const member of members) online.set(member.id, member);
        renderOnline();
      },
      joining(member) {
        online.set(member.id, member);
        renderOnline();
        logEvent(`${member.name} joined ${Dashboard.name()}`);
      },
      leaving(member) {
        online.delete(member.id);
        renderOnline();
        logEvent(`${member.name} left ${Dashboard.name()}`);
      },
      error: (error) => logEvent(`Refused ${Dashboard.name()}: ${describe(error)}`),
    },
  );

  // Everybody's shipments, counted: the public channel needs no authorization.
  listen(echo, ShipmentsCounted, {}, (event) => {
    $('#shipped-count').textContent = String(event.count);
    logEvent(`ShipmentsCounted ${event.count} on ${ShipmentsCounted.channel.name()}`);
  });

  $('#new-order').addEventListener('click', placeOrder);
  $('#watch').addEventListener('submit', (e) => {
    e.preventDefault();
    watchOtherOrder(Number($<HTMLInputElement>('#watch-id').value));
  });
}

function connect(config: DashboardConfig): Echo<'reverb'> {
  const secure = location.protocol === 'https:';
  const port = config.wsPort ?? Number(location.port || (secure ? 443 : 80));
  const instance = new Echo<'reverb'>({
    broadcaster: 'reverb',
    key: config.key,
    wsHost: config.wsHost ?? location.hostname,
    wsPort: port,
    wssPort: port,
    forceTLS: secure,
    enabledTransports: ['ws', 'wss'],
    authEndpoint: '/broadcasting/auth',
    Pusher,
  });
  const pill = $('#connection');
  instance.connector.pusher.connection.bind('state_change', ({ current }: { current: string }) => {
    pill.textContent = current;
    pill.dataset.state = current;
  });
  return instance;
}

function addOrder(order: OrderView, flash = false): void {
  if (rows.has(order.id)) return updateOrder(order);
  const tr = document.createElement('tr');
  tr.dataset.orderId = String(order.id);
  tr.innerHTML =
    '<td class="id"></td><td class="item"></td><td><span class="status"></span></td><td class="tracking"></td><td class="action"></td>';
  tr.querySelector('.id')!.textContent = `#${order.id}`;
  tr.querySelector('.item')!.textContent = order.item;
  rows.set(order.id, tr);
  $('#orders').append(tr);
  updateOrder(order, flash);

  // Only the owner is authorized for private-orders.{id}; the status changes only when
  // OrderShipped arrives here, never from the REST response.
  const channel = OrderChannel.name({ orderId: order.id });
  listen(
    echo,
    OrderShipped,
    { orderId: order.id },
    (event) => {
      logEvent(`OrderShipped #${event.order.id} on ${channel}`);
      updateOrder(event.order, true);
    },
    { error: (error) => logEvent(`Refused ${channel}: ${describe(error)}`) },
  );
}

function updateOrder(order: OrderView, flash = false): void {
  const tr = rows.get(order.id);
  if (!tr) return;
  const status = tr.querySelector<HTMLElement>('.status')!;
  status.textContent = order.status;
  status.dataset.status = order.status;
  tr.querySelector('.tracking')!.textContent = order.trackingNumber ?? '';
  const action = tr.querySelector('.action')!;
  if (order.status === 'placed' && !action.firstChild) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'ship';
    button.textContent = 'Ship';
    button.addEventListener('click', () => shipOrder(order.id, button));
    action.append(button);
  } else if (order.status !== 'placed') {
    action.replaceChildren();
  }
  if (flash) {
    tr.classList.remove('flash');
    void tr.offsetWidth; // restart the animation
    tr.classList.add('flash');
  }
}

async function shipOrder(id: number, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  button.textContent = 'Shipping…';
  const response = await fetch(`/api/orders/${id}/ship`, {
    method: 'POST',
    headers: socketHeader(),
  });
  if (!response.ok) {
    button.disabled = false;
    button.textContent = 'Ship';
    logEvent(`Could not ship #${id}: ${(await response.json()).message}`);
  }
}

async function placeOrder(): Promise<void> {
  const response = await fetch('/api/orders', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...socketHeader() },
    body: '{}',
  });
  if (!response.ok) logEvent(`Could not place an order: ${(await response.json()).message}`);
}

/** Tries to listen on another customer's order channel and says plainly what happened. */
function watchOtherOrder(id: number): void {
  const result = $('#watch-result');
  result.hidden = false;
  result.className = '';
  if (!Number.isInteger(id) || id < 1) {
    result.textContent = 'Type an order number.';
    return;
  }
  if (rows.has(id)) {
    result.className = 'granted';
    result.textContent = `Order #${id} is yours: you are already listening to it.`;
    return;
  }
  const name = OrderChannel.name({ orderId: id });
  result.textContent = `Asking to listen to ${name}…`;
  echo.leaveChannel(name); // forget an earlier attempt so this one asks again
  listen(echo, OrderShipped, { orderId: id }, (event) =>
    logEvent(`OrderShipped #${event.order.id} on ${name}`),
  );
  echo
    .private(OrderChannel.bareName({ orderId: id }))
    .subscribed(() => {
      result.className = 'granted';
      result.textContent = `Listening to ${name}.`;
    })
    .error((error: ChannelError) => {
      result.className = 'refused';
      result.textContent = `Refused: you may not listen to order #${id} (${name}): ${describe(error)}.`;
      logEvent(`Refused ${name}: ${describe(error)}`);
    });
}

/** Lets the server leave this tab out of broadcasts it caused (`toOthers`). */
function socketHeader(): Record<string, string> {
  const id = echo?.socketId();
  return id ? { 'X-Socket-ID': id } : {};
}

function describe(error: ChannelError | undefined): string {
  if (!error) return 'no reason given';
  if (error.status === 403) return 'the server answered 403 Forbidden';
  if (error.status === 401) return 'you are not signed in (401)';
  if (error.status) return `HTTP ${error.status}`;
  return error.error || error.message || error.type || String(error);
}

function logEvent(text: string): void {
  const li = document.createElement('li');
  li.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  const list = $('#events');
  list.prepend(li);
  while (list.children.length > 30) list.lastChild!.remove();
}

function showLogin(): void {
  $('#login-view').hidden = false;
  $('#connection').hidden = true;
  const error = new URLSearchParams(location.search).get('error');
  if (error) {
    $('#login-error').textContent = error;
    $('#login-error').hidden = false;
  }
}
