/** A sync's model as people read it: `$metrics` is the connector's metrics. */
export const modelName = (model: string) => (model === '$metrics' ? 'metrics' : model);
