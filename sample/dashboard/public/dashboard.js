// The dashboard's browser code: plain JavaScript, no build step. pusher.min.js and
// echo.iife.js (loaded before this file, straight from node_modules) define the globals
// `Pusher` and `Echo`.
'use strict';

const $ = (selector) => document.querySelector(selector);

/** Order rows by id, so a broadcast can update its row in place. */
const rows = new Map();
let me;
let echo;

main().catch((error) => logEvent(`Dashboard failed to start: ${error.message}`));

async function main() {
  // 200 with `user: null` when signed out, so a first visit logs nothing in the console.
  const { user } = await fetch('/api/me').then((r) => r.json());
  if (!user) return showLogin();
  me = user;

  $('#whoami').textContent = `Signed in as ${me.name}`;
  $('#whoami').hidden = false;
  $('#logout').hidden = false;
  $('#dashboard-view').hidden = false;

  const [config, initial] = await Promise.all([
    fetch('/api/config').then((r) => r.json()),
    fetch('/api/orders').then((r) => r.json()),
  ]);
  echo = connect(config);
  for (const order of initial.orders) addOrder(order);
  $('#shipped-count').textContent = String(initial.shippedCount);

  // New orders of this user, from any tab: the per-user private channel.
  echo
    .private(`users.${me.id}`)
    .listen('.OrderCreated', (event) => {
      logEvent(`OrderCreated #${event.order.id} on private-users.${me.id}`);
      addOrder(event.order, true);
    })
    .error((error) => logEvent(`Refused private-users.${me.id}: ${describe(error)}`));

  // Who else has the dashboard open: the presence channel.
  const online = new Map();
  const renderOnline = () => {
    const list = $('#presence');
    list.replaceChildren(
      ...[...online.values()].map((member) => {
        const li = document.createElement('li');
        li.textContent = member.id === me.id ? `${member.name} (you)` : member.name;
        li.dataset.userId = member.id;
        return li;
      }),
    );
  };
  echo
    .join('dashboard')
    .here((members) => {
      online.clear();
      for (const member of members) online.set(member.id, member);
      renderOnline();
    })
    .joining((member) => {
      online.set(member.id, member);
      renderOnline();
      logEvent(`${member.name} joined presence-dashboard`);
    })
    .leaving((member) => {
      online.delete(member.id);
      renderOnline();
      logEvent(`${member.name} left presence-dashboard`);
    })
    .error((error) => logEvent(`Refused presence-dashboard: ${describe(error)}`));

  // Everybody's shipments, counted: the public channel needs no authorization.
  echo.channel('shipments').listen('.ShipmentsCounted', (event) => {
    $('#shipped-count').textContent = String(event.count);
    logEvent(`ShipmentsCounted ${event.count} on shipments`);
  });

  $('#new-order').addEventListener('click', placeOrder);
  $('#watch').addEventListener('submit', (e) => {
    e.preventDefault();
    watchOtherOrder(Number($('#watch-id').value));
  });
}

function connect(config) {
  const secure = location.protocol === 'https:';
  const port = config.wsPort ?? Number(location.port || (secure ? 443 : 80));
  const instance = new Echo.default({
    broadcaster: 'reverb',
    key: config.key,
    wsHost: config.wsHost ?? location.hostname,
    wsPort: port,
    wssPort: port,
    forceTLS: secure,
    enabledTransports: ['ws', 'wss'],
    authEndpoint: '/broadcasting/auth',
  });
  const pill = $('#connection');
  instance.connector.pusher.connection.bind('state_change', ({ current }) => {
    pill.textContent = current;
    pill.dataset.state = current;
  });
  return instance;
}

function addOrder(order, flash = false) {
  if (rows.has(order.id)) return updateOrder(order);
  const tr = document.createElement('tr');
  tr.dataset.orderId = String(order.id);
  tr.innerHTML =
    '<td class="id"></td><td class="item"></td><td><span class="status"></span></td><td class="tracking"></td><td class="action"></td>';
  tr.querySelector('.id').textContent = `#${order.id}`;
  tr.querySelector('.item').textContent = order.item;
  rows.set(order.id, tr);
  $('#orders').append(tr);
  updateOrder(order, flash);

  // Only the owner is authorized for private-orders.{id}; the status changes only when
  // OrderShipped arrives here, never from the REST response.
  echo
    .private(`orders.${order.id}`)
    .listen('.OrderShipped', (event) => {
      logEvent(`OrderShipped #${event.order.id} on private-orders.${event.order.id}`);
      updateOrder(event.order, true);
    })
    .error((error) => logEvent(`Refused private-orders.${order.id}: ${describe(error)}`));
}

function updateOrder(order, flash = false) {
  const tr = rows.get(order.id);
  if (!tr) return;
  const status = tr.querySelector('.status');
  status.textContent = order.status;
  status.dataset.status = order.status;
  tr.querySelector('.tracking').textContent = order.trackingNumber ?? '';
  const action = tr.querySelector('.action');
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

async function shipOrder(id, button) {
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

async function placeOrder() {
  const response = await fetch('/api/orders', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...socketHeader() },
    body: '{}',
  });
  if (!response.ok) logEvent(`Could not place an order: ${(await response.json()).message}`);
}

/** Tries to listen on another customer's order channel and says plainly what happened. */
function watchOtherOrder(id) {
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
  const name = `orders.${id}`;
  result.textContent = `Asking to listen to private-${name}…`;
  echo.leaveChannel(`private-${name}`); // forget an earlier attempt so this one asks again
  echo
    .private(name)
    .subscribed(() => {
      result.className = 'granted';
      result.textContent = `Listening to private-${name}.`;
    })
    .listen('.OrderShipped', (event) =>
      logEvent(`OrderShipped #${event.order.id} on private-${name}`),
    )
    .error((error) => {
      result.className = 'refused';
      result.textContent = `Refused: you may not listen to order #${id} (private-${name}): ${describe(error)}.`;
      logEvent(`Refused private-${name}: ${describe(error)}`);
    });
}

/** Lets the server leave this tab out of broadcasts it caused (`toOthers`). */
function socketHeader() {
  const id = echo?.socketId();
  return id ? { 'X-Socket-ID': id } : {};
}

function describe(error) {
  if (!error) return 'no reason given';
  if (error.status === 403) return 'the server answered 403 Forbidden';
  if (error.status === 401) return 'you are not signed in (401)';
  if (error.status) return `HTTP ${error.status}`;
  return error.error || error.message || error.type || String(error);
}

function logEvent(text) {
  const li = document.createElement('li');
  li.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  const list = $('#events');
  list.prepend(li);
  while (list.children.length > 30) list.lastChild.remove();
}

function showLogin() {
  $('#login-view').hidden = false;
  $('#connection').hidden = true;
  const error = new URLSearchParams(location.search).get('error');
  if (error) {
    $('#login-error').textContent = error;
    $('#login-error').hidden = false;
  }
}
