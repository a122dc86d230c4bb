// aws-local-stepfunctions 3 calls Promise.withResolvers, which Node 20 lacks; import this module first.
const P = Promise as unknown as {
  withResolvers?: <T>() => { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void };
};

if (!P.withResolvers) {
  P.withResolvers = <T>() => {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

/** Marks the polyfill as loaded (imported for its side effect). */
export const PROMISE_WITH_RESOLVERS = true;
