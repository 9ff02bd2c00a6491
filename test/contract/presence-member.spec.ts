import { Injectable } from '@nestjs/common';
import { ChannelAuth } from 'nestjs-broadcasting';
import { defineChannel, type AuthParamsOf, type MemberOf } from 'nestjs-broadcasting/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAuthApp, postAuth, type AuthApp } from '../auth/fixtures/auth-test-app.js';

/** A presence channel whose members are validated: what others see is the schema's output. */
const Desk = defineChannel('presence', 'desk.{deskId}', {
  member: z.object({ id: z.number(), name: z.string() }),
});

interface DeskUser {
  id: number;
  name: string;
  email: string;
}

const USERS: Record<string, DeskUser> = {
  ann: { id: 1, name: 'Ann', email: 'ann@example.com' },
  bob: { id: 2, name: 'Bob', email: 'bob@example.com' },
};

@Injectable()
class DeskChannels {
  @ChannelAuth(Desk)
  desk(user: DeskUser, { deskId }: AuthParamsOf<typeof Desk>): MemberOf<typeof Desk> | false {
    if (deskId !== 'front') return false;
    // Bob's record comes back malformed, as data from elsewhere can: the schema catches it.
    if (user.id === 2) return { id: 'two', name: user.name } as unknown as MemberOf<typeof Desk>;
    return user; // the whole user, email included: the schema keeps id and name only
  }
}

describe('@ChannelAuth(presence contract) with a member schema', () => {
  let app: AuthApp;

  beforeAll(async () => {
    app = await createAuthApp({
      providers: [DeskChannels],
      auth: { resolveUser: (req) => USERS[String(req.headers['x-user'])] },
    });
  });
  afterAll(() => app?.close());

  const authorize = (user: string, channel: string) =>
    postAuth(
      `${app.url}/broadcasting/auth`,
      { socket_id: '1.2', channel_name: channel },
      { headers: { 'X-User': user } },
    );

  it('signs the schema output as user_info: undeclared keys never reach other members', async () => {
    const response = await authorize('ann', 'presence-desk.front');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.channel_data)).toEqual({
      user_id: 1,
      user_info: { id: 1, name: 'Ann' },
    });
  });

  it('refuses a member the schema rejects with 403 callback_error, and logs which field', async () => {
    const response = await authorize('bob', 'presence-desk.front');
    expect(response.status).toBe(403);
    expect(response.text).toContain('callback_error');
    expect(app.logs.join('\n')).toContain(
      'DeskChannels.desk returned a presence member its channel contract refuses: ' +
        'field "id": Invalid input: expected number, received string. ' +
        "Return what the contract's member schema describes.",
    );
  });

  it('authorizes the presence kind only', async () => {
    const response = await authorize('ann', 'private-desk.front');
    expect(response.status).toBe(403);
    expect(response.text).toContain('no_matching_pattern');
  });
});
