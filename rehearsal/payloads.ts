/**
 * A valid, plausible submission for each phase, made up for a unit from its entry in the units file: what a
 * rehearsal sends on the unit's behalf. Figures agree with each other the way the phase schemas' cross-checks
 * demand (studied ≤ members, kept + violated ≤ with a personal plan, …); narratives are Vietnamese sentences.
 */
import { formatVietnameseDate, type IsoDate } from '../domain/calendar.js';

export interface SampleUnit {
  code: string;
  name: string;
  members: number;
  secretary?: { name: string };
}

export interface SampleContext {
  /** The day the unit submits (session dates are taken from it). */
  date: IsoDate;
  /** Attendance the unit reports, in percent (study, and the year-end figures); default 100. */
  studyPercent?: number;
}

/** The member count a unit reports: its registered count, at least 1 (the schemas require a member). */
export function reportedMembers(unit: Pick<SampleUnit, 'members'>): number {
  return Math.max(1, Math.trunc(unit.members));
}

/** Members who studied at a given attendance: round(members · percent / 100). */
export function studiedAt(members: number, percent: number): number {
  return Math.min(members, Math.max(0, Math.round((members * percent) / 100)));
}

const clamp = (n: number, max: number) => Math.max(0, Math.min(max, Math.trunc(n)));

function inspectionCounts(members: number, share: number) {
  return {
    inspectedOrgs: clamp(1 + members / 100, 50),
    inspectedMembers: clamp(Math.max(1, members * share), members),
    supervisedOrgs: clamp(1 + members / 80, 50),
    supervisedMembers: clamp(Math.max(1, members * share * 1.5), members),
  };
}

/** The sample payload of `phase` for `unit`; throws for a phase units do not submit. */
export function samplePayload(phase: string, unit: SampleUnit, ctx: SampleContext): Record<string, unknown> {
  const members = reportedMembers(unit);
  const studied = studiedAt(members, ctx.studyPercent ?? 100);
  const day = formatVietnameseDate(ctx.date);
  const secretary = unit.secretary?.name ?? `Bí thư ${unit.name}`;
  switch (phase) {
    case 'plan':
      return {
        confirmedBy: `${secretary}, Bí thư`,
        unitPlanNumber: `01-KH/${unit.code}, ngày ${day}`,
        planText:
          `Kế hoạch của ${unit.name} triển khai học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí ` +
          `Minh trong năm, giao nhiệm vụ cụ thể cho từng chi bộ và đảng viên.`,
      };
    case 'study':
      return {
        members,
        studied,
        sessionDate: ctx.date,
        discussionTopic: 'Tự soi, tự sửa theo tấm gương đạo đức Hồ Chí Minh',
        discussionDate: ctx.date,
        ...(studied < members
          ? { note: `Còn ${members - studied} đồng chí vắng vì công tác, ốm đau; đơn vị sẽ tổ chức quán triệt bổ sung.` }
          : {}),
      };
    case 'study-makeup':
      return {
        makeupDate: ctx.date,
        studiedTotal: members,
        members,
        note: 'Đã tổ chức quán triệt bổ sung cho toàn bộ đảng viên vắng ở đợt học tập trước.',
      };
    case 'pledge':
      return {
        members,
        withPersonalPlan: members,
        note: `100% đảng viên của ${unit.name} đã xây dựng kế hoạch cá nhân và ký cam kết.`,
      };
    case 'models':
      return {
        models: [
          {
            name: `Dân vận khéo trong cải cách hành chính tại ${unit.name}`,
            kind: 'tap-the',
            description: 'Rút ngắn thời gian giải quyết hồ sơ cho người dân và doanh nghiệp.',
          },
          { name: `Đảng viên gương mẫu ${unit.code}`, kind: 'ca-nhan', description: 'Đi đầu trong chuyển đổi số và thực hành tiết kiệm.' },
        ],
        proposals: [
          { name: secretary, kind: 'ca-nhan', reason: 'Có nhiều đóng góp trong việc học tập và làm theo tấm gương đạo đức Hồ Chí Minh.' },
        ],
      };
    case 'inspection':
      return {
        committee: inspectionCounts(members, 0.05),
        ubkt: inspectionCounts(members, 0.02),
        membersDisciplined: members >= 100 ? 1 : 0,
      };
    case 'year-end-report': {
      const violated = members >= 50 ? 1 : 0;
      return {
        figures: {
          members,
          studied,
          withPersonalPlan: members,
          keptPledge: members - violated,
          violatedPledge: violated,
          modelsBuilt: clamp(1 + members / 40, 100),
          discussionSessions: 4,
          commendedOrgs: 1,
          commendedMembers: clamp(Math.max(1, members / 10), members),
          proposedOrgs: 1,
          proposedMembers: clamp(Math.max(1, members / 25), members),
          contests: 2,
          contestParticipants: members * 3,
          charityVnd: members * 200_000,
          inspections: { committee: inspectionCounts(members, 0.05), ubkt: inspectionCounts(members, 0.02) },
          membersDisciplined: members >= 100 ? 1 : 0,
        },
        narrative: {
          results:
            `${unit.name} đã quán triệt đầy đủ chuyên đề năm; ${studied}/${members} đảng viên tham gia học ` +
            `tập, 100% đảng viên xây dựng kế hoạch cá nhân và cam kết.`,
          strengths: 'Cấp ủy quan tâm chỉ đạo, nhiều mô hình hay được nhân rộng trong cơ quan, đơn vị.',
          limitations: 'Một số đảng viên chưa thường xuyên tự liên hệ, việc đăng ký làm theo có nơi còn chung chung.',
          causes: 'Khối lượng công việc chuyên môn lớn, thời gian sinh hoạt chuyên đề còn hạn chế.',
          proposals: 'Đề nghị Đảng ủy Khối tiếp tục cung cấp tài liệu và tổ chức tập huấn cho cấp ủy cơ sở.',
        },
      };
    }
    default:
      throw new RangeError(`no sample payload for phase "${phase}"`);
  }
}
