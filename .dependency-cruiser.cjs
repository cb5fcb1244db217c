// Who may import whom (docs/architecture.md). `npm test` runs this; a violation fails the build.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'domain-is-pure', severity: 'error', from: { path: '^src/domain/' }, to: { path: '^src/(?!domain/)' } },
    { name: 'ports-only-domain', severity: 'error', from: { path: '^src/ports/' }, to: { path: '^src/(?!domain/|ports/)' } },
    { name: 'lib-imports-nothing-internal', severity: 'error', from: { path: '^src/lib/' }, to: { path: '^src/(?!lib/)' } },
    {
      name: 'core-uses-domain-ports-lib',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/(?!core/|domain/|ports/|lib/)' },
    },
    {
      name: 'adapters-use-domain-ports-lib',
      comment: 'channels, sinks, bot providers and integrations see only domain, ports, lib and their own files',
      severity: 'error',
      from: { path: '^src/(channels|chatbots/providers|integrations)/([^/]+)/' },
      to: { path: '^src/(?!domain/|ports/|lib/|$1/$2/)' },
    },
    {
      name: 'sinks-use-domain-ports-lib',
      comment: 'a transport is one file in events/sinks/ and sees only domain, ports and lib',
      severity: 'error',
      from: { path: '^src/events/sinks/[^/]+\\.ts$' },
      to: { path: '^src/(?!domain/|ports/|lib/)' },
    },
    {
      name: 'sql-only-in-storage',
      severity: 'error',
      from: { path: '^src/(?!storage/)' },
      to: { path: 'node_modules/(kysely|pg|better-sqlite3)/' },
    },
    {
      name: 'http-does-not-touch-storage-or-channels',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/(storage|channels)/' },
    },
    {
      name: 'wire-maps-only',
      comment: 'wire maps between domain/core types and Evolution\'s format; it may read the event catalogue',
      severity: 'error',
      from: { path: '^src/wire/' },
      to: { path: '^src/(?!wire/|domain/|ports/|core/|lib/|events/catalogue\\.ts$)' },
    },
    {
      name: 'events-pipeline-imports',
      comment: 'the dispatcher and its helpers use domain, ports, lib, wire renderers and their own folder',
      severity: 'error',
      from: { path: '^src/events/(?!sinks/)' },
      to: { path: '^src/(?!events/|domain/|ports/|lib/|wire/|config/)' },
    },
    { name: 'nothing-imports-main', severity: 'error', from: {}, to: { path: '^src/main\\.ts$' } },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
