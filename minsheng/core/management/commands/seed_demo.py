from django.conf import settings
from django.core.management.base import BaseCommand

from minsheng.assistance.demo import seed_demo_assistance
from minsheng.facilities.demo import seed_demo_facilities
from minsheng.governance.demo_campaigns import seed_demo_campaigns
from minsheng.governance.demo_commitments import seed_demo_commitments
from minsheng.governance.demo_councils import seed_demo_councils
from minsheng.governance.demo_intake import seed_demo_intake
from minsheng.governance.demo_servicepoints import seed_demo_servicepoints
from minsheng.governance.demo_visits import seed_demo_visits
from minsheng.incidents.demo import seed_demo_incidents
from minsheng.org.demo import seed_demo
from minsheng.tickets.catalogue import seed_demo_catalogue
from minsheng.tickets.demo_tickets import seed_demo_tickets
from minsheng.tickets.knowledge import seed_demo_knowledge
from minsheng.villages.demo import seed_demo_villages


class Command(BaseCommand):
    help = "Build or refresh the demo county 台前县 (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        password = settings.MINSHENG_DEMO_PASSWORD
        result = seed_demo(password=password)
        entries = seed_demo_catalogue()
        articles = seed_demo_knowledge()
        tickets = seed_demo_tickets()
        boards = seed_demo_villages(password=password)
        meetings = seed_demo_councils()
        campaigns = seed_demo_campaigns()
        self.stdout.write(
            f"演示县已就绪：台前县，{result.units} 个承办单位，{result.users} 个演示账号"
            f"（新导入区划 {result.divisions_created} 条）；派单目录新增 {entries} 条，知识库新增 {articles} 条；演示工单新增 {tickets} 件。"
        )
        self.stdout.write(f"村务公开：孙口镇 {boards} 个村的公开栏新填入演示内容（2026年8—11月）。")
        self.stdout.write(f"民生议事会：孙口镇新增演示会议 {meetings} 次（leader-sunkou 可查看）。")
        self.stdout.write(
            f"专项行动：孙口镇新建 {campaigns} 个（人居环境整治提升攻坚、高考护航）。"
        )
        self.stdout.write(
            "演示账号：admin、operator、dispatcher、supervisor、leader；"
            "各乡镇负责人 leader-<乡镇拼音>（如 leader-sunkou）；"
            "各单位承办人 h-<单位编码>（如 h-sunkou、h-sunkou-zfdd-nc1、h-tq-slj）；"
            "村务公开：孙口镇村务审核员 sunkou-cunwu，村干部 clerk-sunkou-201…206，"
            "村务监督委员 monitor-sunkou-201…206。"
        )
        works = seed_demo_commitments()
        self.stdout.write(f"民生实事：台前县 2026年十大民生实事，新建 {works} 个项目。")
        visits = seed_demo_visits()
        self.stdout.write(
            f"包村走访：孙口镇 6 个村的包村安排，新增走访记录 {visits} 次（h-sunkou、leader 可查看）。"
        )
        rows = seed_demo_intake()
        self.stdout.write(
            f"意见建议集中导入：新增待确认的演示批次（{rows} 行，operator 可在 /governance/intake/ 核对确认）。"
        )
        stations = seed_demo_assistance(password=password)
        self.stdout.write(
            f"帮扶台账：新建劳动保障服务站 {stations} 个（每个乡镇一个，演示人员均为虚构）；"
            "账号 station-<乡镇拼音>（如 station-sunkou）、乡镇帮扶专干 bangfu-<乡镇拼音>、"
            "县残联帮扶专干 bangfu-tq-cl。"
        )
        points = seed_demo_servicepoints()
        self.stdout.write(
            f"服务点：孙口镇便民服务窗口、7 所学校护学岗、高考护航服务点及侯庙镇服务点，新建 {points} 个"
            "（leader-sunkou 可在 /governance/points/ 查看服务矩阵）。"
        )
        incidents = seed_demo_incidents()
        self.stdout.write(
            f"重大突发事件：新建演示事件 {incidents} 件（侯庙镇6村停水，已结束），"
            "应急队伍、车辆机械、志愿者见 /incidents/roster/（dispatcher 可查看）。"
        )
        facilities = seed_demo_facilities()
        self.stdout.write(
            f"公共设施：新登记 {facilities} 个（孙口镇、城关镇的公厕、将军渡A级旅游厕所、城市书房），"
            "管理员 h-sunkou、h-chengguan；含一次漏检告警和一件扫码反映的工单。"
        )
        self.stdout.write(f"演示密码：{password}")
