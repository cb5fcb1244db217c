// Profile and privacy routes under `/chat/*` (compat §3.6), for channels that have them (WhatsApp Web).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { numberQuery } from '../../wire/chat-actions.js';
import { instanceParams } from '../../wire/common.js';
import { normalizeNumber } from '../../wire/jid.js';
import { mediaSource } from '../../wire/messages/index.js';
import {
  businessProfileResponse, numberBody, optionalNumberBody, pictureUrlResponse, privacyResponse, privacySettingsBody, profileNameBody,
  profilePictureBody, profileResponse, profileStatusBody, updateSuccess,
} from '../../wire/profile.js';
import { routeInstance } from '../auth.js';
import type { HttpContext } from '../context.js';

const tags = ['Profile'];

export function profileRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const guard = { config: { auth: 'instance' as const } };

  r.post('/chat/fetchProfilePictureUrl/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Profile picture URL of a number (null when none or hidden)', params: instanceParams, body: numberBody },
    handler: async (request) => {
      const jid = normalizeNumber(request.body.number);
      return pictureUrlResponse(jid, await ctx.profiles.pictureUrl(routeInstance(request), jid));
    },
  });

  r.post('/chat/fetchProfile/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Profile of a number (own profile without one)', params: instanceParams, body: optionalNumberBody },
    handler: async (request) => {
      const number = request.body?.number;
      return profileResponse(await ctx.profiles.fetch(routeInstance(request), number === undefined ? undefined : numberQuery(number)));
    },
  });

  r.post('/chat/fetchBusinessProfile/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Business profile of a number', params: instanceParams, body: numberBody },
    handler: async (request) => businessProfileResponse(await ctx.profiles.business(routeInstance(request), numberQuery(request.body.number))),
  });

  r.post('/chat/updateProfileName/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Set the account name', params: instanceParams, body: profileNameBody },
    handler: async (request) => {
      await ctx.profiles.updateName(routeInstance(request), request.body.name);
      return updateSuccess;
    },
  });

  r.post('/chat/updateProfileStatus/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Set the account status text', params: instanceParams, body: profileStatusBody },
    handler: async (request) => {
      await ctx.profiles.updateStatus(routeInstance(request), request.body.status);
      return updateSuccess;
    },
  });

  r.post('/chat/updateProfilePicture/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Set the account picture (URL or base64)', params: instanceParams, body: profilePictureBody },
    handler: async (request) => {
      await ctx.profiles.updatePicture(routeInstance(request), mediaSource(request.body.picture));
      return updateSuccess;
    },
  });

  r.delete('/chat/removeProfilePicture/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Remove the account picture', params: instanceParams },
    handler: async (request) => {
      await ctx.profiles.removePicture(routeInstance(request));
      return updateSuccess;
    },
  });

  r.get('/chat/fetchPrivacySettings/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Privacy settings of the account', params: instanceParams },
    handler: async (request) => privacyResponse(await ctx.profiles.fetchPrivacy(routeInstance(request))),
  });

  r.post('/chat/updatePrivacySettings/:instanceName', {
    ...guard,
    schema: { tags, summary: 'Set every privacy setting', params: instanceParams, body: privacySettingsBody },
    handler: async (request, reply) => {
      await ctx.profiles.updatePrivacy(routeInstance(request), request.body);
      return reply.code(201).send({ ...updateSuccess, data: request.body });
    },
  });
}
