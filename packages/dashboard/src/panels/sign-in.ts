/**
 * The sign-in panel: password (SRP) or an emailed code, with the pool's own flows.
 * Only members of the security group get in; anyone else is told why, and their fresh
 * session is revoked at once.
 */
import { type AuthStep, type CognitoClient, CognitoError, tokenGroups } from '../auth/cognito.js';
import type { Session, SessionUser } from '../auth/session.js';
import type { PageConfig } from '../config.js';
import { byId, h, replace } from '../dom.js';

export interface SignInDeps {
  config: PageConfig;
  cognito: CognitoClient;
  session: Session;
  onSignedIn(user: SessionUser): void;
}

/** Plain words for the errors a person can cause. */
function explain(error: unknown): string {
  if (error instanceof CognitoError) {
    switch (error.code) {
      case 'NotAuthorizedException':
        return 'Wrong email, password or code.';
      case 'UserNotFoundException':
        return 'Wrong email, password or code.';
      case 'UserNotConfirmedException':
        return 'This account is not confirmed yet.';
      case 'PasswordResetRequiredException':
        return 'This account must reset its password first.';
      case 'TooManyRequestsException':
      case 'LimitExceededException':
        return 'Too many attempts; wait a moment and try again.';
      case 'NetworkError':
        return error.message;
      default:
        return `Sign-in failed (${error.code}).`;
    }
  }
  return 'Sign-in failed.';
}

export function mountSignIn(deps: SignInDeps): { show(message?: string): void; hide(): void } {
  const panel = byId('sign-in');
  const status = h('p', { id: 'sign-in-status', role: 'alert', class: 'message' });
  const email = h('input', {
    id: 'sign-in-email',
    name: 'email',
    type: 'email',
    autocomplete: 'username',
    required: true,
  });
  const password = h('input', {
    id: 'sign-in-password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
  });
  const code = h('input', {
    id: 'sign-in-code',
    name: 'code',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    pattern: '[0-9]{4,10}',
  });
  let pendingCode: { username: string; session: string } | undefined;

  const busy = (on: boolean) => {
    panel.setAttribute('aria-busy', String(on));
    for (const button of panel.querySelectorAll('button')) button.disabled = on;
  };

  const finish = async (step: AuthStep) => {
    if (step.kind === 'code') {
      pendingCode = { username: step.username, session: step.session };
      codeForm.hidden = false;
      passwordForm.hidden = true;
      status.textContent = `A sign-in code was sent${step.destination ? ` to ${step.destination}` : ''}.`;
      code.focus();
      return;
    }
    if (step.kind === 'unsupported') {
      status.textContent = `This account needs a step the page does not offer (${step.challenge}).`;
      return;
    }
    const groups = tokenGroups(step.tokens.idToken);
    if (!groups.includes(deps.config.securityGroup)) {
      // Refused: the session is ended and its refresh token revoked straight away.
      deps.session.start(step.tokens);
      deps.session.end('refused', true);
      pendingCode = undefined;
      codeForm.hidden = true;
      passwordForm.hidden = false;
      status.textContent = `Access refused: this page is for the security team, and ${email.value} is not a member of the group "${deps.config.securityGroup}". Ask an administrator to add the account to that group.`;
      return;
    }
    password.value = '';
    code.value = '';
    pendingCode = undefined;
    deps.onSignedIn(deps.session.start(step.tokens));
  };

  const attempt = async (run: () => Promise<AuthStep>) => {
    status.textContent = '';
    busy(true);
    try {
      await finish(await run());
    } catch (error) {
      status.textContent = explain(error);
    } finally {
      busy(false);
    }
  };

  const offersPassword = deps.config.signIn.includes('password');
  const offersCode = deps.config.signIn.includes('email-code');
  const passwordForm = h(
    'form',
    {
      id: 'password-form',
      'aria-label': 'Sign in',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const username = email.value.trim();
        if (!username) {
          status.textContent = 'Enter your email.';
          return;
        }
        if (!password.value) {
          status.textContent = offersCode
            ? 'Enter your password, or choose "Email me a code".'
            : 'Enter your password.';
          return;
        }
        void attempt(() => deps.cognito.signInWithPassword(username, password.value));
      },
    },
    h('label', { for: 'sign-in-email' }, 'Email'),
    email,
    offersPassword && h('label', { for: 'sign-in-password' }, 'Password'),
    offersPassword && password,
    h(
      'div',
      { class: 'actions' },
      offersPassword && h('button', { type: 'submit' }, 'Sign in'),
      offersCode &&
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            onclick: () => {
              const username = email.value.trim();
              if (!username) {
                status.textContent = 'Enter your email.';
                return;
              }
              void attempt(() => deps.cognito.startEmailCode(username));
            },
          },
          'Email me a code',
        ),
    ),
  );
  const codeForm = h(
    'form',
    {
      id: 'code-form',
      'aria-label': 'Enter the code',
      hidden: true,
      onsubmit: (event: Event) => {
        event.preventDefault();
        const pending = pendingCode;
        if (!pending) return;
        void attempt(() =>
          deps.cognito.answerCode(pending.username, pending.session, code.value.trim()),
        );
      },
    },
    h('label', { for: 'sign-in-code' }, 'Sign-in code'),
    code,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit' }, 'Verify code'),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () => {
            pendingCode = undefined;
            codeForm.hidden = true;
            passwordForm.hidden = false;
            status.textContent = '';
          },
        },
        'Back',
      ),
    ),
  );
  replace(
    panel,
    h('h2', { id: 'sign-in-title' }, 'Sign in'),
    h('p', {}, `For members of the ${deps.config.securityGroup} group of the user pool.`),
    passwordForm,
    codeForm,
    status,
  );
  return {
    show(message?: string) {
      panel.hidden = false;
      if (message) status.textContent = message;
      email.focus();
    },
    hide() {
      panel.hidden = true;
    },
  };
}
