// The hand-wired way to get a token: @aws-sdk/rds-signer's Signer (default credential chain), signed once,
// printed as `rdsiam token` prints it. Its target comes from HW_* variables, as an app's own settings would.
import { Signer } from '@aws-sdk/rds-signer';

const { HW_ENDPOINT, HW_PORT, HW_USER, HW_REGION } = process.env;
const signer = new Signer({ hostname: HW_ENDPOINT, port: Number(HW_PORT), username: HW_USER, region: HW_REGION });
process.stdout.write(`${await signer.getAuthToken()}\n`);
