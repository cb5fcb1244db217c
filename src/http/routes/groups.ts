// `/group/*` (compat §3.7), for channels that have groups (WhatsApp Web). The group id comes from the body or the
// query; Evolution's group validators answer `{property, message}` objects, which the query (and sendInvite) keep.
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ZodType } from 'zod';
import { badRequest, DomainError, notFound } from '../../domain/errors.js';
import { instanceParams } from '../../wire/common.js';
import {
  createGroupBody, descriptionBody, fetchAllGroupsQuery, GROUP_JID_MISSING, groupJidBody, groupJidOf, groupJidQuery,
  groupResponse, groupValidationMessage, inviteCodeQuery, participantJidsOf, participantResponse, participantsUpdateResponse,
  pictureBody, sendInviteBody, subjectBody, toggleEphemeralBody, updateParticipantBody, updateSettingBody,
} from '../../wire/groups.js';
import { normalizeNumber } from '../../wire/jid.js';
import { mediaSource } from '../../wire/messages/index.js';
import { routeInstance } from '../auth.js';
import type { HttpContext } from '../context.js';
import { zodValidatorCompiler } from '../validation.js';

const tags = ['Group'];

/** Object-style messages for the query (and, with `body: true`, the body); the usual strings otherwise. */
// Fastify types a route-level compiler over the whole route schema, but calls it with each part's zod schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function groupValidator(objectParts: { body: boolean }): FastifySchemaCompiler<any> {
  return (route: { schema: ZodType; httpPart?: string; method: string; url: string }) => {
    if (route.httpPart !== 'querystring' && !(route.httpPart === 'body' && objectParts.body)) return zodValidatorCompiler(route);
    return (data) => {
      const result = route.schema.safeParse(data);
      if (result.success) return { value: result.data };
      return { error: badRequest(...result.error.issues.map((issue) => groupValidationMessage(issue, data))) };
    };
  };
}

/** The group id of a request, from the body or the query, or Evolution's 400. */
function requireGroupJid(body: { groupJid?: string | undefined } | undefined, query: { groupJid?: string | undefined }): string {
  const jid = groupJidOf(body?.groupJid, query.groupJid);
  if (jid === undefined) throw badRequest(...GROUP_JID_MISSING);
  return jid;
}

export function groupRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const guard = { config: { auth: 'instance' as const }, validatorCompiler: groupValidator({ body: false }) };
  const withJid = (summary: string, body?: ZodType) => ({ tags, summary, params: instanceParams, querystring: groupJidQuery, ...(body ? { body } : {}) });

  r.post('/group/create/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Create a group', params: instanceParams, body: createGroupBody },
    handler: async (request, reply) => {
      const b = request.body;
      const group = await ctx.groups.create(routeInstance(request), b.subject, participantJidsOf(b.participants), { description: b.description, promoteParticipants: b.promoteParticipants });
      return reply.code(201).send(groupResponse(group));
    },
  });

  r.post('/group/updateGroupSubject/:instanceName', {
    ...guard,
    schema: withJid('Set the group subject', subjectBody),
    handler: async (request, reply) => {
      const body = request.body as { groupJid?: string; subject: string };
      await ctx.groups.updateSubject(routeInstance(request), requireGroupJid(body, request.query), body.subject);
      return reply.code(201).send({ update: 'success' });
    },
  });

  r.post('/group/updateGroupPicture/:instanceName', {
    ...guard,
    schema: withJid('Set the group picture (URL or base64)', pictureBody),
    handler: async (request, reply) => {
      const body = request.body as { groupJid?: string; image: string };
      await ctx.groups.updatePicture(routeInstance(request), requireGroupJid(body, request.query), mediaSource(body.image));
      return reply.code(201).send({ update: 'success' });
    },
  });

  r.post('/group/updateGroupDescription/:instanceName', {
    ...guard,
    schema: withJid('Set the group description', descriptionBody),
    handler: async (request, reply) => {
      const body = request.body as { groupJid?: string; description: string };
      await ctx.groups.updateDescription(routeInstance(request), requireGroupJid(body, request.query), body.description);
      return reply.code(201).send({ update: 'success' });
    },
  });

  r.get('/group/findGroupInfos/:instanceName', {
    ...guard,
    schema: withJid('A group with its participants and picture'),
    handler: async (request) => {
      const jid = requireGroupJid(undefined, request.query);
      const group = await notFoundOnFailure(ctx.groups.info(routeInstance(request), jid), jid);
      return groupResponse(group, { pictureUrl: group.pictureUrl });
    },
  });

  r.get('/group/fetchAllGroups/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Every group the account is in (pictureUrl is null here: one query per group would be needed)', params: instanceParams, querystring: fetchAllGroupsQuery },
    handler: async (request) => {
      const withParticipants = request.query.getParticipants === 'true';
      return (await ctx.groups.fetchAll(routeInstance(request))).map((g) => groupResponse(g, { pictureUrl: null, participants: withParticipants }));
    },
  });

  r.get('/group/participants/:instanceName', {
    ...guard,
    schema: withJid('Participants of a group'),
    handler: async (request) => {
      const jid = requireGroupJid(undefined, request.query);
      return { participants: (await ctx.groups.participants(routeInstance(request), jid)).map(participantResponse) };
    },
  });

  r.get('/group/inviteCode/:instanceName', {
    ...guard,
    schema: withJid('The invite link of a group'),
    handler: async (request) => {
      const { code, url } = await ctx.groups.inviteCode(routeInstance(request), requireGroupJid(undefined, request.query));
      return { inviteUrl: url, inviteCode: code };
    },
  });

  r.get('/group/inviteInfo/:instanceName', {
    ...guard,
    schema: { tags, summary: 'The group an invite code leads to', params: instanceParams, querystring: inviteCodeQuery },
    handler: async (request) => groupResponse(await ctx.groups.inviteInfo(routeInstance(request), request.query.inviteCode)),
  });

  r.get('/group/acceptInviteCode/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Join a group by invite code', params: instanceParams, querystring: inviteCodeQuery },
    handler: async (request) => ({ accepted: true, groupJid: await ctx.groups.acceptInvite(routeInstance(request), request.query.inviteCode) }),
  });

  r.post('/group/sendInvite/:instanceName', {
    config: guard.config,
    validatorCompiler: groupValidator({ body: true }),
    schema: { tags, summary: 'Send the invite link to numbers as text ("description\\n\\nlink")', params: instanceParams, body: sendInviteBody },
    handler: async (request) => {
      const b = request.body;
      const jid = requireGroupJid(b, {});
      const inviteUrl = await ctx.groups.sendInvite(routeInstance(request), jid, b.description, b.numbers.map(normalizeNumber));
      return { send: true, inviteUrl };
    },
  });

  r.post('/group/revokeInviteCode/:instanceName', {
    ...guard,
    schema: withJid('Revoke the invite link (a new one is made)', groupJidBody),
    handler: async (request, reply) => {
      const inviteCode = await ctx.groups.revokeInvite(routeInstance(request), requireGroupJid(request.body as { groupJid?: string } | undefined, request.query));
      return reply.code(201).send({ revoked: true, inviteCode });
    },
  });

  r.post('/group/updateParticipant/:instanceName', {
    ...guard,
    schema: withJid('Add, remove, promote or demote participants', updateParticipantBody),
    handler: async (request, reply) => {
      const body = request.body as { groupJid?: string; action: 'add' | 'remove' | 'promote' | 'demote'; participants: string[] };
      const results = await ctx.groups.updateParticipants(routeInstance(request), requireGroupJid(body, request.query), participantJidsOf(body.participants), body.action);
      return reply.code(201).send(participantsUpdateResponse(results));
    },
  });

  r.post('/group/updateSetting/:instanceName', {
    ...guard,
    schema: withJid('Who may send and who may edit the group', updateSettingBody),
    handler: async (request, reply) => {
      const body = request.body as { groupJid?: string; action: 'announcement' | 'not_announcement' | 'locked' | 'unlocked' };
      await ctx.groups.updateSetting(routeInstance(request), requireGroupJid(body, request.query), body.action);
      // Evolution answers `{updateSetting: <void>}`, which serializes as `{}`.
      return reply.code(201).send({});
    },
  });

  r.post('/group/toggleEphemeral/:instanceName', {
    ...guard,
    schema: withJid('Disappearing messages (seconds: 0, 86400, 604800, 7776000)', toggleEphemeralBody),
    handler: async (request, reply) => {
      const body = request.body as { groupJid?: string; expiration: number };
      await ctx.groups.toggleEphemeral(routeInstance(request), requireGroupJid(body, request.query), body.expiration);
      return reply.code(201).send({ success: true });
    },
  });

  r.delete('/group/leaveGroup/:instanceName', {
    ...guard,
    schema: withJid('Leave a group'),
    handler: async (request) => {
      const jid = requireGroupJid(undefined, request.query);
      await ctx.groups.leave(routeInstance(request), jid);
      return { groupJid: jid, leave: true };
    },
  });
}

/** Evolution answers 404 when WhatsApp cannot give the group (unknown, or the account is not in it). */
async function notFoundOnFailure<T>(work: Promise<T>, jid: string): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw notFound(`Group not found: ${jid}`);
  }
}
