/**
 * Route schemas compiled on first use instead of all at start. Compiling the validators and
 * serializers of ~130 operations eagerly took about half a second of every hub start (CPU profile
 * of the embedded hub's second start: ajv 346 ms, fast-json-stringify 184 ms, plus the generated
 * code's own compilation). `warm()` compiles the rest in the background once the hub listens,
 * a few at a time between other work, so only the first requests of a fresh process pay.
 */
import type { FastifySchemaCompiler } from 'fastify';
import SerializerSelector from '@fastify/fast-json-stringify-compiler';

type Validate = ((data: unknown) => unknown) & { errors?: unknown };
type Serialize = (data: unknown) => string;

export class LazyCompilers {
  readonly #pending = new Set<() => void>();

  /** Wraps a validator compiler: Fastify reads `.errors` from the function after a failed call. */
  validator(compile: FastifySchemaCompiler<unknown>): FastifySchemaCompiler<unknown> {
    return (route) => {
      let compiled: Validate | undefined;
      const build = () => (compiled ??= compile(route) as Validate);
      this.#pending.add(build);
      const validate: Validate = (data) => {
        const ok = build()(data);
        validate.errors = compiled!.errors;
        return ok;
      };
      return validate as ReturnType<FastifySchemaCompiler<unknown>>;
    };
  }

  /** A `compilersFactory.buildSerializer` whose route serializers are the default ones, compiled lazily. */
  readonly buildSerializer = (externalSchemas: unknown, options: unknown) => {
    const compileRoute = (SerializerSelector as unknown as () => (schemas: unknown, opts: unknown) => (route: unknown) => Serialize)()(externalSchemas, options);
    return (route: unknown): Serialize => {
      let compiled: Serialize | undefined;
      const build = () => (compiled ??= compileRoute(route));
      this.#pending.add(build);
      return (data) => build()(data);
    };
  };

  /** Compiles what no request has needed yet, yielding to the event loop between schemas. */
  async warm(): Promise<void> {
    for (const build of this.#pending) {
      this.#pending.delete(build);
      build();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
