// Editors sign in to the console through Cognito in AWS: a user pool that nobody can sign up to (an admin
// creates editors), MFA required (TOTP), strong passwords, threat protection enforced; a public app client for the
// hosted sign-in (authorization code + PKCE) whose callback is on the public site; an `editors` group. The HTTP app
// verifies the JWT itself (it also serves public routes, so there is no API Gateway authorizer).
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { StageConfig } from '../config.js';

export interface EditorAuthRefs {
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  /** Base URL of the hosted sign-in, e.g. https://<prefix>.auth.<region>.amazoncognito.com */
  readonly signInUrl: string;
}

export class EditorAuth extends Construct implements EditorAuthRefs {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly signInUrl: string;

  constructor(scope: Construct, id: string, props: { config: StageConfig }) {
    super(scope, id);
    const { config } = props;
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `${config.prefix}-editors`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      standardAttributes: { email: { required: true, mutable: true } },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new cognito.CfnUserPoolGroup(this, 'Editors', {
      userPoolId: this.userPool.userPoolId,
      groupName: 'editors',
      description: 'May use the editor console and the editor API',
    });
    const domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: config.editorAuthDomainPrefix ?? `${config.prefix}-editors` },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    this.client = this.userPool.addClient('Console', {
      userPoolClientName: `${config.prefix}-editor-console`,
      generateSecret: false,
      preventUserExistenceErrors: true,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [`${config.publicBaseUrl}/editor/callback`],
        logoutUrls: [`${config.publicBaseUrl}/editor`],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      enableTokenRevocation: true,
    });
    new cognito.CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    this.userPoolId = this.userPool.userPoolId;
    this.userPoolClientId = this.client.userPoolClientId;
    this.signInUrl = domain.baseUrl();
    new CfnOutput(Stack.of(this), 'EditorUserPoolId', { value: this.userPoolId, description: 'Create editors here (docs/deploy.md)' });
    new CfnOutput(Stack.of(this), 'EditorSignInUrl', { value: this.signInUrl, description: 'Hosted sign-in for editors' });
  }
}
