/**
 * The user pool's federation: SAML, OIDC and social identity providers from the
 * `userPool.federation` config section (secrets as Secrets Manager references).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretValue } from 'aws-cdk-lib';
import {
  type AttributeMapping,
  type IUserPoolIdentityProvider,
  ProviderAttribute,
  type UserPool,
  UserPoolIdentityProviderAmazon,
  UserPoolIdentityProviderApple,
  UserPoolIdentityProviderFacebook,
  UserPoolIdentityProviderGoogle,
  UserPoolIdentityProviderOidc,
  UserPoolIdentityProviderSaml,
  UserPoolIdentityProviderSamlMetadata,
} from 'aws-cdk-lib/aws-cognito';
import type { Construct } from 'constructs';
import type { SecretRef, UserPoolSection } from '../config/sections/user-pool.js';
import { REPO_ROOT } from './bundling.js';

function secretValue(ref: SecretRef): SecretValue {
  return SecretValue.secretsManager(ref.secret, ref.field ? { jsonField: ref.field } : {});
}

/**
 * An attribute mapping in Cognito's own names (`email`, `given_name`, `custom:x`),
 * which is what CloudFormation takes; CDK's `custom` passes names through unchanged.
 */
function attributeMapping(mapping: Record<string, string>): AttributeMapping {
  return {
    custom: Object.fromEntries(
      Object.entries(mapping).map(([cognito, provider]) => [
        cognito,
        ProviderAttribute.other(provider),
      ]),
    ),
  };
}

const SOCIAL_EMAIL_MAPPING = { email: 'email' };

/** The identity providers of the section, created in `scope` on `userPool`. */
export function federationProviders(
  scope: Construct,
  userPool: UserPool,
  section: UserPoolSection,
): IUserPoolIdentityProvider[] {
  const fed = section.federation;
  const providers: IUserPoolIdentityProvider[] = [];
  fed.saml.forEach((saml, index) => {
    const metadata = saml.metadataUrl
      ? UserPoolIdentityProviderSamlMetadata.url(saml.metadataUrl)
      : UserPoolIdentityProviderSamlMetadata.file(
          readFileSync(join(REPO_ROOT, 'infra', saml.metadataFile ?? ''), 'utf8'),
        );
    providers.push(
      new UserPoolIdentityProviderSaml(scope, `Saml${index}`, {
        userPool,
        name: saml.name,
        metadata,
        idpSignout: saml.idpSignout,
        ...(saml.identifiers ? { identifiers: saml.identifiers } : {}),
        attributeMapping: attributeMapping(saml.attributeMapping),
      }),
    );
  });
  fed.oidc.forEach((oidc, index) => {
    providers.push(
      new UserPoolIdentityProviderOidc(scope, `Oidc${index}`, {
        userPool,
        name: oidc.name,
        issuerUrl: oidc.issuerUrl,
        clientId: oidc.clientId,
        // A dynamic reference: CloudFormation resolves it, the template never holds the secret.
        clientSecret: secretValue(oidc.clientSecret).unsafeUnwrap(),
        scopes: oidc.scopes,
        ...(oidc.identifiers ? { identifiers: oidc.identifiers } : {}),
        attributeMapping: attributeMapping({
          email: 'email',
          email_verified: 'email_verified',
          ...oidc.attributeMapping,
        }),
      }),
    );
  });
  const social = (mapping: Record<string, string>, defaults: Record<string, string>) =>
    attributeMapping(Object.keys(mapping).length > 0 ? mapping : defaults);
  const secretOf = (name: string, ref: SecretRef | undefined): SecretValue => {
    if (ref === undefined) throw new Error(`userPool.federation.${name}.clientSecret is required`);
    return secretValue(ref);
  };
  if (fed.google) {
    providers.push(
      new UserPoolIdentityProviderGoogle(scope, 'Google', {
        userPool,
        clientId: fed.google.clientId,
        clientSecretValue: secretOf('google', fed.google.clientSecret),
        scopes: fed.google.scopes ?? ['openid', 'email', 'profile'],
        attributeMapping: social(fed.google.attributeMapping, {
          email: 'email',
          email_verified: 'email_verified',
          given_name: 'given_name',
          family_name: 'family_name',
        }),
      }),
    );
  }
  if (fed.facebook) {
    providers.push(
      new UserPoolIdentityProviderFacebook(scope, 'Facebook', {
        userPool,
        clientId: fed.facebook.clientId,
        clientSecret: secretOf('facebook', fed.facebook.clientSecret).unsafeUnwrap(),
        scopes: fed.facebook.scopes ?? ['public_profile', 'email'],
        attributeMapping: social(fed.facebook.attributeMapping, SOCIAL_EMAIL_MAPPING),
      }),
    );
  }
  if (fed.amazon) {
    providers.push(
      new UserPoolIdentityProviderAmazon(scope, 'Amazon', {
        userPool,
        clientId: fed.amazon.clientId,
        clientSecret: secretOf('amazon', fed.amazon.clientSecret).unsafeUnwrap(),
        scopes: fed.amazon.scopes ?? ['profile'],
        attributeMapping: social(fed.amazon.attributeMapping, SOCIAL_EMAIL_MAPPING),
      }),
    );
  }
  if (fed.apple) {
    providers.push(
      new UserPoolIdentityProviderApple(scope, 'Apple', {
        userPool,
        clientId: fed.apple.clientId,
        teamId: fed.apple.teamId,
        keyId: fed.apple.keyId,
        privateKeyValue: secretValue(fed.apple.privateKey),
        scopes: fed.apple.scopes ?? ['name', 'email'],
        attributeMapping: social(fed.apple.attributeMapping, SOCIAL_EMAIL_MAPPING),
      }),
    );
  }
  return providers;
}
