import { defineService, defineServiceRef } from '@platform/foundations';
import { RealmServiceBase } from '@platform/smart-city';

export class GreetingService extends RealmServiceBase {
  readonly realm = 'greetings';

  async greet(userContext: unknown, name: string) {
    const user = this.requireUserContext(userContext);
    return this.withSpan('greeting.greet', { 'user.id': user.userId }, async () => {
      this.logOperation('greeting.greet', true, { name });
      return `Hello ${name}, from tenant ${user.tenantId}`;
    });
  }
}

export const GreetingRef = defineServiceRef<GreetingService>({ id: 'realm.greeting', tier: 'realm' });
export const greetingService = defineService({
  ref: GreetingRef,
  description: { realm: 'greetings' },
  factory: (_deps, context) => new GreetingService(context),
});
