export {
  createTrailDelivery,
  type SqsHandler,
  type TrailDelivery,
  type TrailDeliveryOptions,
} from './delivery.js';
export {
  type ApiCall,
  accessKeyIdOf,
  cloudTrailRecord,
  eventBridgeEvent,
  eventTime,
  HIDDEN,
  redactMembers,
  sourceIpOf,
} from './record.js';
