// gitlab-ci-local ships GitLab's CI schema as a plain module without type declarations.
declare module 'gitlab-ci-local/src/schema/schema.js' {
  /** GitLab's .gitlab-ci.yml JSON schema (draft-07), as fetched from gitlab-org/gitlab. */
  export const schema: Record<string, unknown>;
}
