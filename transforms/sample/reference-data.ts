/**
 * Static reference data of the sample lender: branches, products and the word lists used
 * to make realistic (and recognisably fake) Chinese customer names. Pure data, no I/O.
 */

/** One branch of the sample lender. */
export interface SampleBranch {
  readonly branchId: string;
  readonly nameZh: string;
  readonly nameEn: string;
  readonly region: string;
  /** City name as used in company names, e.g. 杭州. */
  readonly cityZh: string;
  /** Six-digit administrative division code used in ID numbers of the city's customers. */
  readonly areaCode: string;
  /** Relative share of customers booked at the branch. */
  readonly weight: number;
}

/**
 * The 20 branches of the sample lender, across Chinese cities and regions.
 *
 * @example
 * SAMPLE_BRANCHES[0]; // { branchId: 'BJ01', nameZh: '北京分行', nameEn: 'Beijing Branch', region: '华北', ... }
 */
export const SAMPLE_BRANCHES: readonly SampleBranch[] = [
  { branchId: 'BJ01', nameZh: '北京分行', nameEn: 'Beijing Branch', region: '华北', cityZh: '北京', areaCode: '110105', weight: 9 },
  { branchId: 'TJ01', nameZh: '天津分行', nameEn: 'Tianjin Branch', region: '华北', cityZh: '天津', areaCode: '120101', weight: 4 },
  { branchId: 'SH01', nameZh: '上海分行', nameEn: 'Shanghai Branch', region: '华东', cityZh: '上海', areaCode: '310115', weight: 9 },
  { branchId: 'HZ01', nameZh: '杭州分行', nameEn: 'Hangzhou Branch', region: '华东', cityZh: '杭州', areaCode: '330106', weight: 6 },
  { branchId: 'NJ01', nameZh: '南京分行', nameEn: 'Nanjing Branch', region: '华东', cityZh: '南京', areaCode: '320102', weight: 5 },
  { branchId: 'SU01', nameZh: '苏州分行', nameEn: 'Suzhou Branch', region: '华东', cityZh: '苏州', areaCode: '320505', weight: 5 },
  { branchId: 'NB01', nameZh: '宁波分行', nameEn: 'Ningbo Branch', region: '华东', cityZh: '宁波', areaCode: '330203', weight: 4 },
  { branchId: 'JN01', nameZh: '济南分行', nameEn: 'Jinan Branch', region: '华东', cityZh: '济南', areaCode: '370102', weight: 4 },
  { branchId: 'QD01', nameZh: '青岛分行', nameEn: 'Qingdao Branch', region: '华东', cityZh: '青岛', areaCode: '370202', weight: 4 },
  { branchId: 'XM01', nameZh: '厦门分行', nameEn: 'Xiamen Branch', region: '华东', cityZh: '厦门', areaCode: '350203', weight: 3 },
  { branchId: 'GZ01', nameZh: '广州分行', nameEn: 'Guangzhou Branch', region: '华南', cityZh: '广州', areaCode: '440106', weight: 7 },
  { branchId: 'SZ01', nameZh: '深圳分行', nameEn: 'Shenzhen Branch', region: '华南', cityZh: '深圳', areaCode: '440305', weight: 8 },
  { branchId: 'WH01', nameZh: '武汉分行', nameEn: 'Wuhan Branch', region: '华中', cityZh: '武汉', areaCode: '420106', weight: 5 },
  { branchId: 'CS01', nameZh: '长沙分行', nameEn: 'Changsha Branch', region: '华中', cityZh: '长沙', areaCode: '430104', weight: 4 },
  { branchId: 'ZZ01', nameZh: '郑州分行', nameEn: 'Zhengzhou Branch', region: '华中', cityZh: '郑州', areaCode: '410105', weight: 4 },
  { branchId: 'CD01', nameZh: '成都分行', nameEn: 'Chengdu Branch', region: '西南', cityZh: '成都', areaCode: '510107', weight: 6 },
  { branchId: 'CQ01', nameZh: '重庆分行', nameEn: 'Chongqing Branch', region: '西南', cityZh: '重庆', areaCode: '500103', weight: 5 },
  { branchId: 'XA01', nameZh: '西安分行', nameEn: "Xi'an Branch", region: '西北', cityZh: '西安', areaCode: '610113', weight: 4 },
  { branchId: 'SY01', nameZh: '沈阳分行', nameEn: 'Shenyang Branch', region: '东北', cityZh: '沈阳', areaCode: '210102', weight: 3 },
  { branchId: 'DL01', nameZh: '大连分行', nameEn: 'Dalian Branch', region: '东北', cityZh: '大连', areaCode: '210202', weight: 3 },
];

/** Product codes in a fixed order; the index is the product's number in the generator's SQL. */
export const PRODUCT_IDS = ['mortgage', 'car', 'consumer_instalment', 'business', 'working_capital'] as const;

/** A product code. */
export type ProductId = (typeof PRODUCT_IDS)[number];

/** One loan product with the parameters that drive its generated loans. */
export interface SampleProduct {
  readonly productId: ProductId;
  readonly nameZh: string;
  readonly nameEn: string;
  readonly segment: 'retail' | 'small_business';
  /** Principal range in CNY (log-uniform) and rounding step. */
  readonly principal: { readonly min: number; readonly max: number; readonly step: number };
  /** Annual rate range (uniform, rounded to 4 decimals). */
  readonly rate: { readonly min: number; readonly max: number };
  /** Terms in months with weights. */
  readonly terms: readonly (readonly [months: number, weight: number])[];
  /** Repayment methods with weights. */
  readonly methods: readonly (readonly [method: RepaymentMethod, weight: number])[];
  /** Guarantee types with weights. */
  readonly guarantees: readonly (readonly [guarantee: string, weight: number])[];
  /** Monthly probability that a current loan misses an instalment (before the grade multiplier). */
  readonly missRate: number;
  /** Monthly probability of full early repayment. */
  readonly prepayRate: number;
  /** Share of loans in USD (the rest CNY). */
  readonly usdShare: number;
}

/** Repayment methods in a fixed order; the index is the method's number in SQL. */
export const REPAYMENT_METHODS = ['equal_instalment', 'equal_principal', 'interest_first'] as const;

/** A repayment method. */
export type RepaymentMethod = (typeof REPAYMENT_METHODS)[number];

/**
 * The five products of the sample lender and how their loans look.
 *
 * @example
 * SAMPLE_PRODUCTS.find((p) => p.productId === 'mortgage')?.nameZh; // '个人住房贷款'
 */
export const SAMPLE_PRODUCTS: readonly SampleProduct[] = [
  {
    productId: 'mortgage',
    nameZh: '个人住房贷款',
    nameEn: 'Residential mortgage',
    segment: 'retail',
    principal: { min: 300_000, max: 3_000_000, step: 10_000 },
    rate: { min: 0.031, max: 0.049 },
    terms: [
      [240, 30],
      [300, 25],
      [360, 45],
    ],
    methods: [
      ['equal_instalment', 75],
      ['equal_principal', 25],
    ],
    guarantees: [['mortgage', 100]],
    missRate: 0.005,
    prepayRate: 0.004,
    usdShare: 0,
  },
  {
    productId: 'car',
    nameZh: '个人汽车贷款',
    nameEn: 'Car loan',
    segment: 'retail',
    principal: { min: 50_000, max: 300_000, step: 1_000 },
    rate: { min: 0.04, max: 0.08 },
    terms: [
      [36, 50],
      [48, 20],
      [60, 30],
    ],
    methods: [['equal_instalment', 100]],
    guarantees: [
      ['mortgage', 80],
      ['guarantee', 20],
    ],
    missRate: 0.015,
    prepayRate: 0.006,
    usdShare: 0,
  },
  {
    productId: 'consumer_instalment',
    nameZh: '个人消费分期',
    nameEn: 'Consumer instalment loan',
    segment: 'retail',
    principal: { min: 5_000, max: 200_000, step: 100 },
    rate: { min: 0.08, max: 0.18 },
    terms: [
      [6, 15],
      [12, 35],
      [18, 10],
      [24, 25],
      [36, 15],
    ],
    methods: [
      ['equal_instalment', 80],
      ['equal_principal', 20],
    ],
    guarantees: [
      ['credit', 90],
      ['guarantee', 10],
    ],
    missRate: 0.03,
    prepayRate: 0.01,
    usdShare: 0,
  },
  {
    productId: 'business',
    nameZh: '小微经营贷款',
    nameEn: 'Small business loan',
    segment: 'small_business',
    principal: { min: 100_000, max: 3_000_000, step: 10_000 },
    rate: { min: 0.04, max: 0.09 },
    terms: [
      [12, 40],
      [24, 35],
      [36, 25],
    ],
    methods: [
      ['interest_first', 70],
      ['equal_principal', 30],
    ],
    guarantees: [
      ['guarantee', 45],
      ['mortgage', 35],
      ['pledge', 15],
      ['credit', 5],
    ],
    missRate: 0.025,
    prepayRate: 0.006,
    usdShare: 0,
  },
  {
    productId: 'working_capital',
    nameZh: '流动资金贷款',
    nameEn: 'Working capital loan',
    segment: 'small_business',
    principal: { min: 500_000, max: 10_000_000, step: 10_000 },
    rate: { min: 0.035, max: 0.07 },
    terms: [[12, 100]],
    methods: [['interest_first', 100]],
    guarantees: [
      ['guarantee', 40],
      ['mortgage', 30],
      ['pledge', 20],
      ['credit', 10],
    ],
    missRate: 0.02,
    prepayRate: 0.003,
    usdShare: 0.02,
  },
];

/** Common Chinese surnames, most frequent first (picked with a skew towards the front). */
export const SURNAMES: readonly string[] = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
];

/** Characters used in given names (one or two are picked). */
export const GIVEN_NAME_CHARS: readonly string[] = [
  ...'伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建文辉力玲云飞鹏宇浩然晨曦欣怡梓涵子轩思远嘉琪雨婷晓东海燕国庆志红春梅秋菊冬雪振宁德胜佳慧俊杰宏亮婉清家豪润泽雅琴凤鸣金宝',
];

/** Trade-name characters of company names (two are picked, e.g. 恒达). */
export const TRADE_NAME_CHARS: readonly string[] = [...'恒达鑫隆泰盛华源宏兴瑞丰祥和顺昌永安信诚嘉禾汇通中天润博创新'];

/**
 * Business lines of small-business customers: the word used in the company name and the
 * GB/T 4754 industry section letter.
 */
export const BUSINESS_LINES: readonly (readonly [word: string, section: string])[] = [
  ['贸易', 'F'],
  ['商贸', 'F'],
  ['科技', 'I'],
  ['信息技术', 'I'],
  ['建材', 'C'],
  ['服装', 'C'],
  ['电子', 'C'],
  ['机械制造', 'C'],
  ['食品', 'C'],
  ['餐饮管理', 'H'],
  ['物流', 'G'],
  ['运输', 'G'],
  ['农业发展', 'A'],
  ['装饰工程', 'E'],
  ['建筑工程', 'E'],
  ['文化传媒', 'R'],
  ['医疗器械', 'F'],
  ['家居', 'F'],
];

/** Occupation groups recorded in `industry` for individual customers. */
export const OCCUPATION_GROUPS: readonly string[] = [
  'professional',
  'office_clerk',
  'service',
  'manufacturing',
  'self_employed',
  'public_sector',
  'retired',
];

/** The five-category loan classes, mildest first, and the provision rate of each. */
export const LOAN_CLASSES: readonly (readonly [name: string, provisionRate: number])[] = [
  ['正常', 0.015],
  ['关注', 0.03],
  ['次级', 0.3],
  ['可疑', 0.6],
  ['损失', 1],
];

/** A foreign currency of the sample book and its FX-rate series (CNY per one unit). */
export interface SampleFxCurrency {
  readonly currency: string;
  /** Mean rate. */
  readonly level: number;
  /** Swing of the rate around the mean over the months. */
  readonly amplitude: number;
}

/** Currencies other than CNY that sample loans are in (see `usdShare`); `fx_rates.csv` carries their month-end rates. */
export const SAMPLE_FX_CURRENCIES: readonly SampleFxCurrency[] = [{ currency: 'USD', level: 7.1, amplitude: 0.12 }];

/**
 * The sample's month-end rate of a currency (CNY per unit, 4 decimals like the PBOC central
 * parity): a smooth deterministic series of the month index.
 *
 * @example
 * sampleFxRate(SAMPLE_FX_CURRENCIES[0]!, 2026 * 12 + 9); // 7.2019 (2026-10)
 */
export function sampleFxRate(fx: SampleFxCurrency, monthIndex: number): number {
  return Math.round((fx.level + fx.amplitude * Math.sin(monthIndex / 5)) * 10_000) / 10_000;
}
