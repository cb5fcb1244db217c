// multipart/form-data for the media send routes: form fields become body fields, the upload `file` a Buffer.
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';

export async function installMultipart(app: FastifyInstance, maxFileBytes: number): Promise<void> {
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: maxFileBytes, files: 1, fields: 50 },
    async onFile(part) {
      this.uploadName = part.filename || undefined;
      (part as unknown as { value: Buffer }).value = await part.toBuffer();
    },
  });
}
