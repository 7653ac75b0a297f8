import type { OptionValue, REGIONS } from '../options';

export interface District {
  name: string;
  /** The six-digit administrative division code (GB/T 2260), the start of local ID numbers. */
  code: string;
}

export interface City {
  name: string;
  province: string;
  /** Printed before the city in a full address: 上海市, 广东省广州市. */
  addressPrefix: string;
  region: OptionValue<typeof REGIONS>;
  areaCode: string;
  /** The first four digits of the city's postal codes. */
  postalPrefix: string;
  /** Relative share of customers living there. */
  weight: number;
  districts: readonly District[];
}

const municipality = (name: string) => ({ province: name, addressPrefix: `${name}市` });
const inProvince = (province: string, name: string, provinceTitle = `${province}省`) => ({ province, addressPrefix: `${provinceTitle}${name}市` });

export const CITIES: readonly City[] = [
  { name: '上海', ...municipality('上海'), region: 'east', areaCode: '021', postalPrefix: '2000', weight: 14, districts: [{ name: '黄浦区', code: '310101' }, { name: '徐汇区', code: '310104' }, { name: '静安区', code: '310106' }, { name: '浦东新区', code: '310115' }] },
  { name: '北京', ...municipality('北京'), region: 'north', areaCode: '010', postalPrefix: '1000', weight: 13, districts: [{ name: '东城区', code: '110101' }, { name: '西城区', code: '110102' }, { name: '朝阳区', code: '110105' }, { name: '海淀区', code: '110108' }] },
  { name: '广州', ...inProvince('广东', '广州'), region: 'south', areaCode: '020', postalPrefix: '5100', weight: 9, districts: [{ name: '越秀区', code: '440104' }, { name: '海珠区', code: '440105' }, { name: '天河区', code: '440106' }] },
  { name: '深圳', ...inProvince('广东', '深圳'), region: 'south', areaCode: '0755', postalPrefix: '5180', weight: 9, districts: [{ name: '罗湖区', code: '440303' }, { name: '福田区', code: '440304' }, { name: '南山区', code: '440305' }, { name: '宝安区', code: '440306' }] },
  { name: '杭州', ...inProvince('浙江', '杭州'), region: 'east', areaCode: '0571', postalPrefix: '3100', weight: 6, districts: [{ name: '上城区', code: '330102' }, { name: '西湖区', code: '330106' }, { name: '滨江区', code: '330108' }] },
  { name: '南京', ...inProvince('江苏', '南京'), region: 'east', areaCode: '025', postalPrefix: '2100', weight: 5, districts: [{ name: '玄武区', code: '320102' }, { name: '秦淮区', code: '320104' }, { name: '鼓楼区', code: '320106' }] },
  { name: '苏州', ...inProvince('江苏', '苏州'), region: 'east', areaCode: '0512', postalPrefix: '2150', weight: 5, districts: [{ name: '虎丘区', code: '320505' }, { name: '吴中区', code: '320506' }, { name: '姑苏区', code: '320508' }] },
  { name: '成都', ...inProvince('四川', '成都'), region: 'southwest', areaCode: '028', postalPrefix: '6100', weight: 6, districts: [{ name: '锦江区', code: '510104' }, { name: '青羊区', code: '510105' }, { name: '武侯区', code: '510107' }] },
  { name: '重庆', ...municipality('重庆'), region: 'southwest', areaCode: '023', postalPrefix: '4000', weight: 5, districts: [{ name: '渝中区', code: '500103' }, { name: '江北区', code: '500105' }, { name: '南岸区', code: '500108' }] },
  { name: '武汉', ...inProvince('湖北', '武汉'), region: 'central', areaCode: '027', postalPrefix: '4300', weight: 5, districts: [{ name: '江岸区', code: '420102' }, { name: '武昌区', code: '420106' }, { name: '洪山区', code: '420111' }] },
  { name: '长沙', ...inProvince('湖南', '长沙'), region: 'central', areaCode: '0731', postalPrefix: '4100', weight: 3, districts: [{ name: '芙蓉区', code: '430102' }, { name: '岳麓区', code: '430104' }] },
  { name: '郑州', ...inProvince('河南', '郑州'), region: 'central', areaCode: '0371', postalPrefix: '4500', weight: 3, districts: [{ name: '中原区', code: '410102' }, { name: '金水区', code: '410105' }] },
  { name: '西安', ...inProvince('陕西', '西安'), region: 'northwest', areaCode: '029', postalPrefix: '7100', weight: 4, districts: [{ name: '碑林区', code: '610103' }, { name: '雁塔区', code: '610113' }] },
  { name: '兰州', ...inProvince('甘肃', '兰州'), region: 'northwest', areaCode: '0931', postalPrefix: '7300', weight: 1, districts: [{ name: '城关区', code: '620102' }, { name: '七里河区', code: '620103' }] },
  { name: '沈阳', ...inProvince('辽宁', '沈阳'), region: 'northeast', areaCode: '024', postalPrefix: '1100', weight: 3, districts: [{ name: '和平区', code: '210102' }, { name: '沈河区', code: '210103' }] },
  { name: '大连', ...inProvince('辽宁', '大连'), region: 'northeast', areaCode: '0411', postalPrefix: '1160', weight: 2, districts: [{ name: '中山区', code: '210202' }, { name: '沙河口区', code: '210204' }] },
  { name: '哈尔滨', ...inProvince('黑龙江', '哈尔滨'), region: 'northeast', areaCode: '0451', postalPrefix: '1500', weight: 2, districts: [{ name: '道里区', code: '230102' }, { name: '南岗区', code: '230103' }] },
  { name: '天津', ...municipality('天津'), region: 'north', areaCode: '022', postalPrefix: '3000', weight: 4, districts: [{ name: '和平区', code: '120101' }, { name: '河西区', code: '120103' }, { name: '南开区', code: '120104' }] },
  { name: '石家庄', ...inProvince('河北', '石家庄'), region: 'north', areaCode: '0311', postalPrefix: '0500', weight: 2, districts: [{ name: '长安区', code: '130102' }, { name: '桥西区', code: '130104' }] },
  { name: '青岛', ...inProvince('山东', '青岛'), region: 'east', areaCode: '0532', postalPrefix: '2660', weight: 3, districts: [{ name: '市南区', code: '370202' }, { name: '崂山区', code: '370212' }] },
  { name: '厦门', ...inProvince('福建', '厦门'), region: 'east', areaCode: '0592', postalPrefix: '3610', weight: 3, districts: [{ name: '思明区', code: '350203' }, { name: '湖里区', code: '350206' }] },
  { name: '合肥', ...inProvince('安徽', '合肥'), region: 'east', areaCode: '0551', postalPrefix: '2300', weight: 2, districts: [{ name: '庐阳区', code: '340103' }, { name: '蜀山区', code: '340104' }] },
  { name: '南宁', ...inProvince('广西', '南宁', '广西壮族自治区'), region: 'south', areaCode: '0771', postalPrefix: '5300', weight: 2, districts: [{ name: '兴宁区', code: '450102' }, { name: '青秀区', code: '450103' }] },
  { name: '昆明', ...inProvince('云南', '昆明'), region: 'southwest', areaCode: '0871', postalPrefix: '6500', weight: 2, districts: [{ name: '五华区', code: '530102' }, { name: '官渡区', code: '530111' }] },
];

export const CITY_WEIGHTS: readonly (readonly [City, number])[] = CITIES.map((c) => [c, c.weight]);

export const STREETS = [
  '人民路', '中山路', '解放路', '建设路', '和平路', '长江路', '黄河路', '南京路', '文化路', '新华路',
  '光明路', '友谊路', '青年路', '学府路', '科技路', '滨江路', '湖滨路', '花园路', '朝阳路', '东风路',
] as const;
