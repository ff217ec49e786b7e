/** Kafka Streams' name of a store's changelog topic. */
export function changelogTopicName(applicationId: string, store: string): string {
  return `${applicationId}-${store}-changelog`;
}
